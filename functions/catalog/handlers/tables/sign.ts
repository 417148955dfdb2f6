import { json, type Handler } from '../../../../shared/http/index.js';
import type { S3SignRequest, TableParams } from '../../schemas/iceberg-requests.js';
import { objectNamed } from '../objects/common.js';
import { signTableRequest } from '../table-signing.js';

/**
 * signRequest: one S3 request for the table's files, signed with the warehouse's keys when it stays inside the
 * table and its method fits the caller's access, decided for this request (table-signing.ts). Never cached.
 */
export const signRequest: Handler<{ params: typeof TableParams; body: typeof S3SignRequest }> = async (ctx) => {
  const { prefix, levels, name } = objectNamed('table', ctx.params);
  const signed = await signTableRequest(ctx.platform, ctx.requirePrincipal(), { prefix, namespace: levels, name }, ctx.body);
  return json(200, signed, { 'cache-control': 'no-cache' });
};
