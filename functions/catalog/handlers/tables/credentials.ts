import { json, type Handler } from '../../../../shared/http/index.js';
import type { TableParams } from '../../schemas/iceberg-requests.js';
import { requireObject } from '../../store/catalog-objects.js';
import { toWarehouseSummary } from '../../store/warehouses.js';
import { objectNamed } from '../objects/common.js';
import { storageFor } from './storage.js';

/** loadCredentials: the storage credentials loadTable would give this caller now (none unless the warehouse vends them). */
export const loadCredentials: Handler<{ params: typeof TableParams }> = async (ctx) => {
  const { prefix, levels, name } = objectNamed('table', ctx.params);
  const { warehouse, object } = await requireObject(ctx.db, 'table', prefix, levels, name);
  const storage = await storageFor(ctx, toWarehouseSummary(warehouse), { prefix, namespace: levels, name, metadataText: object.metadata });
  return json(200, { 'storage-credentials': storage.credentials });
};
