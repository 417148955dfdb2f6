import { json, type Handler } from '../../../../shared/http/index.js';
import { nextTagAttributes } from '../../domain/annotations.js';
import type { UpdateWarehouseBody, WarehouseParams } from '../../schemas/warehouse-schemas.js';
import { noSuchWarehouse, warehouseStore } from '../../store/warehouses.js';
import { checkStorage } from './storage-settings.js';

/** The credential settings are checked as they will be after the change, on the locked row, and written together. */
export const updateWarehouse: Handler<{ params: typeof WarehouseParams; body: typeof UpdateWarehouseBody }> = async (ctx) => {
  const { body } = ctx;
  const store = warehouseStore(ctx.tx);
  const row = await store.lock(ctx.params.name);
  if (!row) throw noSuchWarehouse(ctx.params.name);
  const credentialsRef = body.credentialsRef === undefined ? row.credentials_ref : body.credentialsRef;
  const credentialVending = body.credentialVending ?? row.credential_vending;
  const sts = body.sts === undefined ? row.sts : body.sts;
  const remoteSigning = body.remoteSigning ?? row.remote_signing;
  checkStorage(row.storage_location, credentialsRef, credentialVending, sts, remoteSigning);
  const warehouse = await store.update(row.id, {
    credentialsRef,
    credentialVending,
    sts,
    remoteSigning,
    ...(body.storage !== undefined ? { storage: body.storage } : {}),
    ...(body.properties !== undefined ? { properties: body.properties } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.owner !== undefined ? { owner: body.owner } : {}),
    // A tag that goes takes its attributes with it (kept ones keep theirs), as the discovery API does.
    ...(body.tags !== undefined ? { tags: { tags: body.tags, attributes: nextTagAttributes(row.tag_attributes, body.tags, {}) } } : {}),
  });
  return json(200, warehouse);
};
