import { BadRequestError } from '../../../shared/errors/index.js';

/**
 * Iceberg list pagination. Tokens are opaque to clients: the last name served, so a page continues after it in name
 * order and concurrent inserts neither repeat nor skip what was already listed.
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function encodePageToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName })).toString('base64url');
}

/** undefined: no token, list everything; '' starts paging (the spec lets a client ask for paging with an empty token). */
export function decodePageToken(token: string | undefined): { paged: boolean; after: string | undefined } {
  if (token === undefined) return { paged: false, after: undefined };
  if (token === '') return { paged: true, after: undefined };
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return { paged: true, after: parsed.after };
  } catch {
    /* fall through */
  }
  throw new BadRequestError(`Invalid pageToken: ${token} is not a token this catalog issued`);
}

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(requested ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}
