import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { catalogContext } from '../../catalog-context.js';
import { namespaceOf } from '../../domain/identifiers.js';
import type { LoadTableQuery, TableParams } from '../../schemas/iceberg-requests.js';
import { warehousePath } from '../../storage/warehouse-paths.js';
import { objectStoreFor } from '../../storage/warehouse-storage.js';
import { missing, requireObject } from '../../store/catalog-objects.js';
import type { WarehouseSummary } from '../../store/warehouses.js';
import { tableKey } from '../metadata-cache.js';
import { loadTableResult } from '../table-files.js';
import { storageFor } from './storage.js';

/**
 * loadTable, the catalog's hot path: the warehouse, namespace and table in one lookup batched with the other loads
 * of the event loop's turn (store/table-read-batch.ts), the metadata text only when this process does not hold it
 * already, and 304 to a matching If-None-Match.
 */
export const loadTable: Handler<{ params: typeof TableParams; query: typeof LoadTableQuery }> = async (ctx) => {
  const { prefix, table } = ctx.params;
  const levels = namespaceOf(ctx.params);
  const { metadataCache: cache, tableReads } = ctx.platform.contextOf(catalogContext);
  const key = tableKey(prefix, levels, table);
  const known = cache.get(key);
  const row = await tableReads.find(ctx.db, prefix, levels, table, known);
  if (!row || row.kind !== 'table') {
    // Which part is missing decides the exception a client sees.
    await requireObject(ctx.db, 'table', prefix, levels, table);
    throw missing('table', levels, table);
  }
  const warehouse: WarehouseSummary = {
    id: row.warehouse_id,
    name: row.warehouse_name,
    storageLocation: row.storage_location,
    storage: row.storage,
    credentialsRef: row.credentials_ref,
    credentialVending: row.credential_vending,
    sts: row.sts,
    remoteSigning: row.remote_signing,
    properties: row.warehouse_properties,
  };
  // The answer must match the metadata file; a table whose file is gone is broken, and clients are told so.
  const metadataFile = warehousePath(warehouse, row.metadata_location, { in: 'path', field: 'table', label: 'metadata location' });
  if (!(await (await objectStoreFor(warehouse)).exists(metadataFile)))
    throw new NotFoundError(`Failed to open input stream for file: ${row.metadata_location}`);
  // No text back means the row is still the one `known` was kept from.
  const entry = row.metadata === null ? known : cache.remember(key, { id: row.id, version: row.version, location: row.metadata_location }, row.metadata);
  if (!entry) throw new Error(`loadTable: no metadata for ${row.metadata_location}`);
  const etag = cache.etagFor(entry, ctx.query.snapshots);
  if (ctx.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
  const storage = await storageFor(ctx, warehouse, { prefix, namespace: levels, name: table, metadataText: entry.text });
  return json(200, loadTableResult({ metadataLocation: entry.location, metadataText: cache.metadataFor(entry, ctx.query.snapshots), storage }), { etag });
};
