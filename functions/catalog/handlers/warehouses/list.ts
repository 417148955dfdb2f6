import { ValidationError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { WarehouseListQuery } from '../../schemas/warehouse-schemas.js';
import { warehouseStore } from '../../store/warehouses.js';

/** A page token is the last name served: the next page starts after it. */
function afterOf(pageToken: string | undefined): string | undefined {
  if (pageToken === undefined) return undefined;
  let after: string | undefined;
  try {
    after = (JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as { after: string }).after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string') throw new ValidationError([{ in: 'query', field: 'pageToken', message: 'is not a page token this API issued' }]);
  return after;
}

export const listWarehouses: Handler<{ query: typeof WarehouseListQuery }> = async (ctx) => {
  const pageSize = ctx.query.pageSize ?? 100;
  const rows = await warehouseStore(ctx.db).list(afterOf(ctx.query.pageToken), pageSize + 1);
  const more = rows.length > pageSize;
  const items = more ? rows.slice(0, pageSize) : rows;
  return json(200, { items, nextPageToken: more ? Buffer.from(JSON.stringify({ after: items[items.length - 1]!.name })).toString('base64url') : null });
};
