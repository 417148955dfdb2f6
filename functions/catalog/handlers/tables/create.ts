import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../../shared/db/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { RawJson } from '../../../../shared/json/index.js';
import type { Platform } from '../../../../shared/platform/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import { createTableUpdates } from '../../domain/new-table.js';
import { TableMetadataBuilder } from '../../domain/table-metadata-builder.js';
import type { CreateTableRequest, CreateTableRequestValue, NamespaceParams } from '../../schemas/iceberg-requests.js';
import { clientEndpointConfig } from '../../storage/warehouse-storage.js';
import { requireNamespace } from '../../store/catalog-objects.js';
import { toWarehouseSummary } from '../../store/warehouses.js';
import { actorOf, type Actor } from '../actor.js';
import { ensureNameFree, insertObject, objectLocation } from '../objects/common.js';
import { checkObjectLocations, loadTableResult, metadataText, writeTableMetadata } from '../table-files.js';
import { withStorage } from './storage.js';

/**
 * createTable: a new table at version 0, or with stage-create the metadata a create transaction starts from. The
 * answer kept with an Idempotency-Key says only where the files are; this request's credentials are put in after
 * the transaction (a replay gets its own: storageOnReplay).
 */
export const createTable: Handler<{ params: typeof NamespaceParams; body: typeof CreateTableRequest }> = async (ctx) => {
  const table = { prefix: ctx.params.prefix, namespace: namespaceOf(ctx.params), name: ctx.body.name };
  const actor = actorOf(ctx.requirePrincipal());
  const kept = await ctx.transact(async (tx) => json(200, await newTable(tx, ctx.platform, table.prefix, table.namespace, ctx.body, actor)));
  return withStorage(ctx, kept, table);
};

async function newTable(tx: Tx, platform: Platform, prefix: string, levels: string[], req: CreateTableRequestValue, actor: Actor): Promise<RawJson> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  await ensureNameFree(tx, namespace, req.name, 'table');
  const uuid = randomUUID();
  const location = objectLocation(warehouse, namespace, req.name, uuid, req.location);
  const metadata = new TableMetadataBuilder(null, Date.now()).applyAll(createTableUpdates(req, uuid, location)).build(null);
  checkObjectLocations(warehouse, metadata, null);
  // Only where the files are: this request's credentials are added after the transaction (withStorage).
  const storage = { config: clientEndpointConfig(toWarehouseSummary(warehouse)), credentials: [] };
  if (req['stage-create']) return loadTableResult({ metadataLocation: null, metadataText: metadataText(metadata), storage });
  const written = await writeTableMetadata(warehouse, metadata, null);
  await insertObject(tx, platform, 'table', warehouse, namespace, req.name, uuid, written, actor, metadata);
  return loadTableResult({ metadataLocation: written.location, metadataText: written.text, storage });
}
