import { ValidationError } from '../errors/index.js';

/** Keyset cursor: the (time, id) of the last item served. Opaque to clients, stable under concurrent inserts. */
export interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(t: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: t.toISOString(), id })).toString('base64url');
}

export function decodeCursor(token: string | undefined): Cursor | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as Cursor).t === 'string' && typeof (parsed as Cursor).id === 'string' && !Number.isNaN(Date.parse((parsed as Cursor).t))) {
      return parsed as Cursor;
    }
  } catch {
    /* fall through */
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
