import { json, type Handler } from '../../../../shared/http/index.js';
import type { WarehouseParams } from '../../schemas/warehouse-schemas.js';
import { requireWarehouse, toWarehouse } from '../../store/warehouses.js';

export const readWarehouse: Handler<{ params: typeof WarehouseParams }> = async (ctx) =>
  json(200, toWarehouse(await requireWarehouse(ctx.db, ctx.params.name)));
