import { json, pageOf, type Handler } from '../../../../shared/http/index.js';
import { toLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import type { ListLakehousesQuery } from '../../schemas.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';

export const listLakehouses: Handler<{ query: typeof ListLakehousesQuery }> = async (ctx) => {
  const { rows, size } = await lakehouseStore(ctx.db).list(ctx.query);
  return json(200, pageOf(rows, size, toLakehouse));
};
