import { json, type Handler } from '../../../../shared/http/index.js';
import type { WarehouseAnnotationParams } from '../../schemas/discovery-schemas.js';
import { requireWarehouse } from '../../store/warehouses.js';
import { annotation } from './common.js';

export const readWarehouseAnnotations: Handler<{ params: typeof WarehouseAnnotationParams }> = async (ctx) => {
  const row = await requireWarehouse(ctx.db, ctx.params.warehouse);
  return json(200, annotation('warehouse', row.name, undefined, undefined, row));
};
