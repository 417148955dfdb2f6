import { json, type Handler } from '../../../../shared/http/index.js';
import { toLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import type { LakehouseParams } from '../../schemas.js';
import { lakehouseNamed } from './access.js';

/** By id or name: its definition, state, endpoints while it runs, and whether a change waits for a restart. */
export const readLakehouse: Handler<{ params: typeof LakehouseParams }> = async (ctx) => {
  const row = await lakehouseNamed(ctx, ctx.db);
  return json(200, toLakehouse(row), { etag: `"${row.version}"` });
};
