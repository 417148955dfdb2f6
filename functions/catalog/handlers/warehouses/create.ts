import { json, type Handler } from '../../../../shared/http/index.js';
import { WAREHOUSES, type CreateWarehouseBody } from '../../schemas/warehouse-schemas.js';
import { warehouseStore } from '../../store/warehouses.js';
import { checkStorage, defaultLocation } from './storage-settings.js';

export const createWarehouse: Handler<{ body: typeof CreateWarehouseBody }> = async (ctx) => {
  const { body } = ctx;
  const location = (body.storageLocation ?? defaultLocation(ctx.platform, body.name)).replace(/\/+$/, '');
  checkStorage(location, body.credentialsRef, body.credentialVending, body.sts, body.remoteSigning);
  const warehouse = await warehouseStore(ctx.tx).create({
    name: body.name,
    storageLocation: location,
    storage: body.storage ?? {},
    credentialsRef: body.credentialsRef ?? null,
    credentialVending: body.credentialVending ?? 'none',
    sts: body.sts ?? null,
    remoteSigning: body.remoteSigning ?? false,
    properties: body.properties ?? {},
    description: body.description ?? null,
    owner: body.owner ?? null,
    tags: body.tags ?? [],
  });
  return json(201, warehouse, { location: `${WAREHOUSES}/${body.name}` });
};
