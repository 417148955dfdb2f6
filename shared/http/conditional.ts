import { BadRequestError } from '../errors/index.js';

/**
 * If-Match: "<version>" (quotes optional, W/ ignored) for resources whose ETag is their version number: replace or
 * delete only if nobody changed the resource since it was read. Undefined when the header is absent.
 */
export function ifMatchVersion(header: string | string[] | undefined, what = 'resource'): number | undefined {
  if (header === undefined) return undefined;
  const text =
    (Array.isArray(header) ? header[0] : header)
      ?.trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1') ?? '';
  if (!/^\d+$/.test(text)) throw new BadRequestError(`If-Match must be the ${what} version you read, e.g. If-Match: "3"`);
  return Number(text);
}
