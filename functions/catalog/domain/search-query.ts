import { createHash } from 'node:crypto';
import { ValidationError } from '../../../shared/errors/index.js';

/** What catalog search finds. */
export const SEARCH_KINDS = ['warehouse', 'namespace', 'table', 'view', 'column'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const MAX_SEARCH_TERMS = 16;
const MAX_TERM_LENGTH = 64;

/**
 * The words of a query, split exactly as the search documents are (catalog_search_words() in
 * migrations/0003_catalog_discovery.ts): at camelCase boundaries and at punctuation, symbols and white space;
 * lowercased (the 'simple' configuration lowercases the documents), without repeats.
 */
export function searchTerms(q: string): string[] {
  const words = q
    .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, '$1 $2')
    .split(/[\p{P}\p{S}\s]+/u)
    .map((w) => w.toLowerCase().slice(0, MAX_TERM_LENGTH))
    .filter((w) => w.length > 0);
  return [...new Set(words)];
}

/** A term as a tsquery operand. Terms hold no punctuation, but quoting keeps that from ever mattering. */
function operand(term: string, weights: string): string {
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*${weights}`;
}

/** Every term as a prefix: 'cust' & 'id' finds customer_id. */
export function allTermsQuery(terms: readonly string[]): string {
  return terms.map((t) => operand(t, '')).join(' & ');
}

/** Any term as a prefix, optionally only in the given weights (A name, B tags, C description, D column names). */
export function anyTermQuery(terms: readonly string[], weights: '' | 'A' | 'B' | 'C' | 'D' = ''): string {
  return terms.map((t) => operand(t, weights)).join(' | ');
}

/** Where a page ended: the last hit's score, sort key and unique id. */
export interface SearchCursor {
  score: string;
  key: string;
  uid: string;
}

/** A page token names the search it belongs to, so a token replayed with other filters is refused, not misread. */
export function searchFingerprint(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

const SCORE = /^\d{1,6}(\.\d{1,6})?$/;

export function encodeSearchPageToken(fingerprint: string, cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, f: fingerprint, s: cursor.score, k: cursor.key, u: cursor.uid })).toString('base64url');
}

export function decodeSearchPageToken(token: string, fingerprint: string): SearchCursor {
  let parsed: { v?: unknown; f?: unknown; s?: unknown; k?: unknown; u?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.v !== 1 || typeof parsed.s !== 'string' || !SCORE.test(parsed.s) || typeof parsed.k !== 'string' || typeof parsed.u !== 'string') {
    throw new ValidationError([{ in: 'query', field: 'pageToken', message: 'is not a page token this API issued' }]);
  }
  if (parsed.f !== fingerprint) {
    throw new ValidationError([
      { in: 'query', field: 'pageToken', message: 'belongs to a search with other parameters; repeat the same q and filters, or start without a token' },
    ]);
  }
  return { score: parsed.s, key: parsed.k, uid: parsed.u };
}
