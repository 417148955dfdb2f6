import { json, type Handler } from '../../../../shared/http/index.js';
import { toActivityEntry } from '../../../../shared/domains/lakehouses/index.js';
import type { ActivityQuery, LakehouseParams } from '../../schemas.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';
import { activityOf } from './access.js';

/** Every state change, action and definition change, oldest first; the history outlives the lakehouse. */
export const lakehouseActivity: Handler<{ params: typeof LakehouseParams; query: typeof ActivityQuery }> = async (ctx) => {
  const { id } = await activityOf(ctx, ctx.db);
  const size = ctx.query.pageSize ?? 100;
  const rows = await lakehouseStore(ctx.db).activity(id, { pageSize: size, ...(ctx.query.pageToken ? { after: ctx.query.pageToken } : {}) });
  const more = rows.length > size;
  const items = (more ? rows.slice(0, size) : rows).map(toActivityEntry);
  return json(200, { items, nextPageToken: more ? (items.at(-1)?.id ?? null) : null });
};
