import type { Tx, WarehouseRow } from '../../../../shared/db/index.js';
import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { noContent, type OperationContext, type Reply } from '../../../../shared/http/index.js';
import { UnsafeLocationError, type StoragePath } from '../../../../shared/storage/index.js';
import { displayNamespace } from '../../domain/identifiers.js';
import { pathIfInside, warehouseRoot } from '../../storage/warehouse-paths.js';
import { requireObject, type ObjectKind } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';
import { actorOf } from '../actor.js';
import { runPurge, schedulePurge } from '../purge-tasks.js';
import { PATH_PROPERTIES, readStoredMetadata } from '../table-files.js';
import { forgetSignableTables } from '../table-signing.js';
import { objectNamed, type ObjectParams } from './common.js';

/** Whether a drop asks for the table's files to go too: purgeRequested=true, in any case. */
export function purgeRequested(query: { readonly purgeRequested?: unknown }): boolean {
  return typeof query.purgeRequested === 'string' && query.purgeRequested.toLowerCase() === 'true';
}

/**
 * dropTable and dropView. A table's drop with purgeRequested also records, in the same transaction, the files a
 * purge may delete; they go once the drop committed (a failed drop must leave a whole table behind), and a purge
 * that fails then is retried by the sweeper: the drop itself is done either way. Only tables have files of their own
 * to purge, and only tables are kept by the S3 signer.
 */
export function dropObject<K extends ObjectKind>(kind: K): (ctx: OperationContext<ObjectParams<K>>) => Promise<Reply> {
  return async (ctx) => {
    const { prefix, levels, name } = objectNamed(kind, ctx.params);
    const purge = kind === 'table' && purgeRequested(ctx.query);
    const { warehouse, namespace, object } = await requireObject(ctx.tx, kind, prefix, levels, name, true);
    await objectStore(ctx.tx).delete(object.id);
    await ctx.platform.outbox.publish(ctx.tx, {
      type: kind === 'table' ? CatalogEvents.tableDropped : CatalogEvents.viewDropped,
      subject: `catalog/${warehouse.name}/${kind}s/${object.id}`,
      data: {
        warehouse: warehouse.name,
        namespace: namespace.levels,
        name,
        uuid: object.id,
        metadataLocation: object.metadata_location,
        purged: purge,
        actor: actorOf(ctx.requirePrincipal()).name,
      },
    });
    if (kind !== 'table') return noContent();
    ctx.afterCommit(() => forgetSignableTables(ctx.platform, prefix, [{ namespace: levels, name }]));
    if (!purge) return noContent();
    const safe = await purgeableLocations(ctx.tx, warehouse, object.id, readStoredMetadata(object.metadata));
    const task = await schedulePurge(ctx.tx, warehouse.id, `${displayNamespace(levels)}.${name}`, safe);
    if (task) {
      ctx.afterCommit(async () => {
        await runPurge(ctx.platform, task);
      });
    }
    return noContent();
  };
}

/**
 * What a purge may delete: the table's folder and its write.data.path / write.metadata.path folders, each only if
 * it resolves inside the warehouse (and is not the warehouse itself) and no other table or view of the warehouse
 * keeps anything at, under or above it. Data shared between tables (two tables writing to one write.data.path)
 * must outlive the purge of one of them. Locations are compared as resolved, so no spelling hides an overlap.
 */
async function purgeableLocations(
  tx: Tx,
  warehouse: WarehouseRow,
  objectId: string,
  metadata: { location: string; properties: Record<string, string> },
): Promise<string[]> {
  const wh = { name: warehouse.name, storageLocation: warehouse.storage_location };
  const root = pathIfInside(wh, warehouse.storage_location);
  const candidates = [metadata.location, metadata.properties['write.data.path'], metadata.properties['write.metadata.path']]
    .filter((l): l is string => !!l)
    .map((location) => ({ location, path: pathIfInside(wh, location) }))
    .filter((c): c is { location: string; path: StoragePath } => c.path !== undefined && !(root && c.path.contains(root)));
  if (candidates.length === 0) return [];
  const others = await objectStore(tx).locationsOfOthers(warehouse.id, objectId, PATH_PROPERTIES);
  const taken: StoragePath[] = [];
  for (const location of others.flat()) {
    if (!location) continue;
    try {
      taken.push(warehouseRoot(wh).resolve(location));
    } catch (err) {
      // One elsewhere shares nothing with a folder inside; a malformed one (stored before the checks) might mean
      // any folder, so nothing is purged rather than something it still uses.
      if (err instanceof UnsafeLocationError) return [];
    }
  }
  return candidates.filter((c) => !taken.some((t) => c.path.contains(t) || t.contains(c.path))).map((c) => c.location);
}
