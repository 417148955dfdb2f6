import { ValidationError } from '../errors/index.js';

/** Keyset cursor: the (time, id) of the last item served. Opaque to clients, stable under concurrent inserts. */
export interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(t: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: t.toISOString(), id })).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A token this API issued: a time as encodeCursor wrote it (toISOString, a four-digit year) and a uuid, as every paged
 * table's id is. Anything else is refused here: a made-up id or year reached PostgreSQL and failed there (a 500).
 */
export function decodeCursor(token: string | undefined): Cursor | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object') {
      const { t, id } = parsed as Partial<Cursor>;
      if (typeof t === 'string' && typeof id === 'string' && UUID.test(id) && /^(?!0000)\d{4}-/.test(t) && new Date(t).toISOString() === t) return { t, id };
    }
  } catch {
    /* not base64url JSON, or an Invalid Date (toISOString throws): fall through */
  }
  throw new ValidationError([{ in: 'query', field: 'pageToken', message: 'is not a page token this API issued' }]);
}

/** Splits a fetched page of size+1 rows into the items and the token of the next page. */
export function pageOf<R extends { created_at: Date; id: string }, T>(rows: R[], size: number, map: (r: R) => T): { items: T[]; nextPageToken: string | null } {
  const more = rows.length > size;
  const items = more ? rows.slice(0, size) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextPageToken: more && last ? encodeCursor(last.created_at, last.id) : null };
}
