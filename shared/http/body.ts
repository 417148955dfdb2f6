import type { IncomingMessage } from 'node:http';
import { MalformedBodyError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors/index.js';
import { findNestingBeyond } from '../json/index.js';
import { MAX_JSON_DEPTH, printableField } from '../schema/index.js';
import type { BodyKind } from './route.js';

/** The functions framework parses bodies itself and leaves the bytes on req.rawBody; our own server does not. */
type MaybeFrameworkRequest = IncomingMessage & { rawBody?: Buffer };

/** Reads the whole body, refusing early (by Content-Length) or as soon as the stream passes the limit. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const pre = (req as MaybeFrameworkRequest).rawBody;
  if (Buffer.isBuffer(pre)) {
    if (pre.length > limit) throw tooLarge(limit);
    return pre;
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than ${limit} bytes`);
}

export function mediaType(req: IncomingMessage): string | undefined {
  const header = req.headers['content-type'];
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

const JSON_TYPES = new Set(['application/json']);
const FORM_TYPES = new Set(['application/x-www-form-urlencoded']);

/** Turns the raw bytes into the value the route's schema validates, or says precisely what is wrong. */
export function decodeBody(kind: BodyKind, type: string | undefined, raw: Buffer): unknown {
  if (kind === 'none') return undefined;
  if (kind === 'raw') return raw;
  if (kind === 'json') {
    if (raw.length === 0) throw new MalformedBodyError('request body is empty; a JSON document is required');
    if (!type || !(JSON_TYPES.has(type) || type.endsWith('+json'))) {
      throw new UnsupportedMediaTypeError(`Content-Type must be application/json, got ${type ?? 'none'}`);
    }
    const text = raw.toString('utf8');
    // Before parsing: what reads the parsed body recurses, and a deep enough body would overflow its stack.
    const tooDeep = findNestingBeyond(text, MAX_JSON_DEPTH);
    if (tooDeep) throw new ValidationError([{ in: 'body', field: printableField(tooDeep), message: `is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects` }]);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new MalformedBodyError(`request body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!type || !FORM_TYPES.has(type)) {
    throw new UnsupportedMediaTypeError(`Content-Type must be application/x-www-form-urlencoded, got ${type ?? 'none'}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
    if (k in out) throw new MalformedBodyError(`form parameter ${k} is given more than once`);
    out[k] = v;
  }
  return out;
}
