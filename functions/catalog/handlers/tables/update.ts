import { json, type Handler } from '../../../../shared/http/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import type { CommitTableRequest, TableParams } from '../../schemas/iceberg-requests.js';
import { commitResult } from '../table-files.js';
import { commitChanges } from './commit.js';

/** updateTable: requirements checked against the table's current metadata (409 CommitFailed when one fails), updates applied, a new metadata file written. */
export const updateTable: Handler<{ params: typeof TableParams; body: typeof CommitTableRequest }> = async (ctx) => {
  const change = { identifier: { namespace: namespaceOf(ctx.params), name: ctx.params.table }, requirements: ctx.body.requirements, updates: ctx.body.updates };
  return commitChanges(ctx, ctx.params.prefix, [change], ([committed]) => json(200, commitResult(committed!.metadataLocation, committed!.metadataText)));
};
