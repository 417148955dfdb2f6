import type { Tx } from '../../../../shared/db/index.js';
import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { BadRequestError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { RawJson } from '../../../../shared/json/index.js';
import type { Platform } from '../../../../shared/platform/index.js';
import { displayNamespace, namespaceOf } from '../../domain/identifiers.js';
import { parseTableMetadata } from '../../domain/table-metadata-parser.js';
import type { NamespaceParams, RegisterTableRequest } from '../../schemas/iceberg-requests.js';
import { clientEndpointConfig } from '../../storage/warehouse-storage.js';
import { requireNamespace } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';
import { toWarehouseSummary } from '../../store/warehouses.js';
import { actorOf, type Actor } from '../actor.js';
import { ensureNameFree, insertObject, snapshotIdString } from '../objects/common.js';
import { checkObjectLocations, loadTableResult, metadataText, readMetadataFile } from '../table-files.js';
import { withStorage } from './storage.js';

/**
 * registerTable: adopts an existing metadata file (written by this or another catalog) as the table's current one.
 * As createTable's, the answer kept with an Idempotency-Key holds no credential; this request's are put in after.
 */
export const registerTable: Handler<{ params: typeof NamespaceParams; body: typeof RegisterTableRequest }> = async (ctx) => {
  const table = { prefix: ctx.params.prefix, namespace: namespaceOf(ctx.params), name: ctx.body.name };
  const actor = actorOf(ctx.requirePrincipal());
  const kept = await ctx.transact(async (tx) =>
    json(200, await adopt(tx, ctx.platform, table.prefix, table.namespace, table.name, ctx.body['metadata-location'], ctx.body.overwrite ?? false, actor)),
  );
  return withStorage(ctx, kept, table);
};

async function adopt(
  tx: Tx,
  platform: Platform,
  prefix: string,
  levels: string[],
  name: string,
  metadataLocation: string,
  overwrite: boolean,
  actor: Actor,
): Promise<RawJson> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  const metadata = parseTableMetadata(await readMetadataFile(warehouse, metadataLocation));
  // A registered table's files must lie in the warehouse as a created one's do: its commits write there, its purge deletes there.
  checkObjectLocations(warehouse, metadata, null, { in: 'body', field: 'metadata-location', label: 'the location its metadata names,' });
  const text = metadataText(metadata);
  const store = objectStore(tx);
  const existing = await store.lockAt(namespace.id, name);
  if (existing && !(overwrite && existing.kind === 'table')) await ensureNameFree(tx, namespace, name, 'table');
  if (existing) {
    if (existing.id !== metadata['table-uuid'])
      throw new BadRequestError(
        `Cannot overwrite table ${displayNamespace(levels)}.${name} (uuid ${existing.id}) with metadata of another table (uuid ${metadata['table-uuid']})`,
      );
    await store.repoint(existing.id, { location: metadataLocation, text });
    await platform.outbox.publish(tx, {
      type: CatalogEvents.tableCommitted,
      subject: `catalog/${warehouse.name}/tables/${existing.id}`,
      data: {
        warehouse: warehouse.name,
        namespace: levels,
        name,
        uuid: existing.id,
        metadataLocation,
        previousMetadataLocation: existing.metadata_location,
        currentSnapshotId: snapshotIdString(metadata['current-snapshot-id']),
        updates: ['register'],
        actor: actor.name,
      },
    });
  } else {
    await insertObject(tx, platform, 'table', warehouse, namespace, name, metadata['table-uuid'], { location: metadataLocation, text }, actor, metadata);
  }
  return loadTableResult({ metadataLocation, metadataText: text, storage: { config: clientEndpointConfig(toWarehouseSummary(warehouse)), credentials: [] } });
}
