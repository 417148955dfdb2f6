import type { Static } from '@sinclair/typebox';
import type { Db, SqlStatementRow } from '../../../shared/db/index.js';
import { ValidationError } from '../../../shared/errors/index.js';
import { decodeCursor, encodeCursor } from '../../../shared/http/index.js';
import type { HistoryEntry, HistoryQuery } from '../schemas.js';
import { statusOf } from './statement-views.js';

type Query = Static<typeof HistoryQuery>;

function cursorOf(token: string | undefined) {
  try {
    return decodeCursor(token);
  } catch {
    throw new ValidationError([{ in: 'query', field: 'page_token', message: 'is not a page token this API issued' }]);
  }
}

export function toHistoryEntry(row: SqlStatementRow): Static<typeof HistoryEntry> {
  const { error } = statusOf(row);
  return {
    statement_id: row.id,
    user: row.owner,
    lakehouse: { id: row.lakehouse_id, name: row.lakehouse_name },
    statement: row.statement,
    state: row.state,
    ...(error ? { error } : {}),
    submitted_at: row.submitted_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
    duration_ms: row.finished_at ? row.finished_at.getTime() - row.submitted_at.getTime() : null,
    rows: row.total_row_count === null ? null : Number(row.total_row_count),
    truncated: row.truncated,
    result_expires_at: row.expires_at?.toISOString() ?? null,
  };
}

/** Statements newest first, filtered; `owner` set for members (their own only). Keyset paging on (submitted_at, id). */
export async function listHistory(db: Db, q: Query, owner: string | undefined, lakehouseId: string | undefined) {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new ValidationError([{ in: 'query', field: 'to', message: 'must be after from' }]);
  const size = q.page_size ?? 100;
  const cursor = cursorOf(q.page_token);
  let query = db.selectFrom('sql_statements').selectAll();
  if (owner !== undefined) query = query.where('owner', '=', owner);
  if (q.user !== undefined) query = query.where('owner', '=', q.user);
  if (lakehouseId !== undefined) query = query.where('lakehouse_id', '=', lakehouseId);
  if (q.state !== undefined) query = query.where('state', '=', q.state);
  if (q.from) query = query.where('submitted_at', '>=', new Date(q.from));
  if (q.to) query = query.where('submitted_at', '<', new Date(q.to));
  if (cursor) {
    const t = new Date(cursor.t);
    query = query.where((eb) => eb.or([eb('submitted_at', '<', t), eb.and([eb('submitted_at', '=', t), eb('id', '<', cursor.id)])]));
  }
  const rows = await query.orderBy('submitted_at', 'desc').orderBy('id', 'desc').limit(size + 1).execute();
  const more = rows.length > size;
  const items = more ? rows.slice(0, size) : rows;
  const last = items.at(-1);
  return { items: items.map(toHistoryEntry), next_page_token: more && last ? encodeCursor(last.submitted_at, last.id) : null };
}
