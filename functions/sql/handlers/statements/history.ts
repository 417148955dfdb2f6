import { ValidationError } from '../../../../shared/errors/index.js';
import { decodeCursor, encodeCursor, json, type Handler } from '../../../../shared/http/index.js';
import { findLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import type { HistoryQuery } from '../../schemas.js';
import { statementStore } from '../../store/statement-store.js';
import { toHistoryEntry } from './views.js';

function cursorOf(token: string | undefined) {
  try {
    return decodeCursor(token);
  } catch {
    throw new ValidationError([{ in: 'query', field: 'page_token', message: 'is not a page token this API issued' }]);
  }
}

/** Statements newest first, filtered; members see their own only. Keyset paging on (submitted_at, id). */
export const statementHistory: Handler<{ query: typeof HistoryQuery }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const q = ctx.query;
  const lakehouse = q.lakehouse ? await findLakehouse(ctx.db, q.lakehouse) : undefined;
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new ValidationError([{ in: 'query', field: 'to', message: 'must be after from' }]);
  const size = q.page_size ?? 100;
  const cursor = cursorOf(q.page_token);
  const rows = await statementStore(ctx.db).history({
    owner: principal.isAdmin ? undefined : principal.name,
    user: q.user,
    lakehouseId: lakehouse?.id,
    state: q.state,
    from: q.from,
    to: q.to,
    before: cursor ? { t: new Date(cursor.t), id: cursor.id } : undefined,
    size,
  });
  const more = rows.length > size;
  const items = more ? rows.slice(0, size) : rows;
  const last = items.at(-1);
  return json(200, { items: items.map(toHistoryEntry), next_page_token: more && last ? encodeCursor(last.submitted_at, last.id) : null });
};
