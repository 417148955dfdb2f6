import { HOP_BY_HOP } from './hop-by-hop.js';

/**
 * The head of a function's HTTP/1.1 answer, read as a proxy must: the status, how the body is framed (RFC 9112
 * section 6.3), whether the connection may carry another request, and the end-to-end headers the client gets. The
 * functions are Node servers inside the platform, but a head that is not well-formed is still refused here (the
 * client gets 502), never passed on in pieces.
 */
export interface ResponseHead {
  readonly status: number;
  /** 'length': contentLength bytes follow; 'chunked': chunks to the zero-size one; 'close': all until the connection ends. */
  readonly framing: 'length' | 'chunked' | 'close';
  readonly contentLength: number;
  /** The connection may carry the next request once this answer is read. */
  readonly reusable: boolean;
  /** The end-to-end header lines, "Name: value" as the function wrote them. */
  readonly lines: string[];
}

export class UpstreamProtocolError extends Error {
  readonly code = 'LAKEPLANE_UPSTREAM_PROTOCOL';
}

/** The longest response head taken from a function (Node's own default for what it accepts). */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

/**
 * A whole head in one match: the status line, then header lines whose names are tokens and whose values hold no CR,
 * LF or NUL (no folding, no bare line ends). One regular expression over the head costs less than a check per line.
 */
const WELL_FORMED = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\0\r\n]*)?(?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\0\r\n]*)*$/;
const DIGITS = /^\d{1,15}$/;
/** First letters (lowercase) of the header names this reader acts on: any other line is kept as it is, unread. */
const READ_FIRST = new Set(['c', 'k', 'p', 't', 'u'].map((c) => c.charCodeAt(0)));

/**
 * Parses a head (`text`: its bytes as latin1, up to but without the blank line). The request's method matters: the
 * answer to HEAD has no body whatever its framing headers say, nor has a 1xx, 204 or 304.
 */
export function parseResponseHead(text: string, requestMethod: string): ResponseHead {
  const formed = WELL_FORMED.exec(text);
  if (!formed) {
    throw new UpstreamProtocolError(
      text.startsWith('HTTP/1.') ? 'the answer has a malformed header line' : 'the answer did not begin with an HTTP/1.x status line',
    );
  }
  const minor = formed[1];
  const status = Number(formed[2]);
  let lines: string[] = [];
  let dropped: string[] | undefined;
  let closeAsked = false;
  let keepAliveAsked = false;
  let contentLength: number | undefined;
  let transferEncoding: string | undefined;
  let lineEnd = text.indexOf('\r\n');
  // Scanned in place; a line is looked into only when its name may be one of those below (this runs per request).
  for (let at = lineEnd + 2; lineEnd !== -1; at = lineEnd + 2) {
    lineEnd = text.indexOf('\r\n', at);
    const line = lineEnd === -1 ? text.slice(at) : text.slice(at, lineEnd);
    if (!READ_FIRST.has(line.charCodeAt(0) | 0x20)) {
      lines.push(line);
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'content-length') {
      // "5, 5" or a repeated header with one value is one length (RFC 9110 section 8.6); two lengths are an error.
      const value = line.slice(colon + 1);
      for (const part of value.includes(',') ? value.split(',') : [value]) {
        const v = part.trim();
        if (!DIGITS.test(v) || (contentLength !== undefined && contentLength !== Number(v))) {
          throw new UpstreamProtocolError('the answer has an invalid Content-Length');
        }
        contentLength = Number(v);
      }
    } else if (name === 'transfer-encoding') {
      const value = line.slice(colon + 1).trim();
      transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
    } else if (name === 'connection') {
      const value = line.slice(colon + 1);
      for (const t of value.includes(',') ? value.split(',') : [value]) {
        const token = t.trim().toLowerCase();
        if (token === 'close') closeAsked = true;
        else if (token === 'keep-alive') keepAliveAsked = true;
        else (dropped ??= []).push(token);
      }
    }
    if (!HOP_BY_HOP.has(name)) lines.push(line);
  }
  // Headers the Connection header names are this connection's too (rare: Node's servers name none).
  if (dropped) lines = linesWithout(lines, dropped);
  let reusable = minor === '1' ? !closeAsked : keepAliveAsked;

  const noBody = requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304;
  if (noBody) return { status, framing: 'length', contentLength: 0, reusable, lines };
  if (transferEncoding !== undefined) {
    // A length beside a transfer coding is ignored, and such a connection is not reused (RFC 9112 section 6.3).
    if (contentLength !== undefined) reusable = false;
    const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase());
    const chunked = codings[codings.length - 1] === 'chunked';
    const out = contentLength === undefined ? lines : linesWithout(lines, ['content-length']);
    return chunked
      ? { status, framing: 'chunked', contentLength: 0, reusable, lines: out }
      : { status, framing: 'close', contentLength: 0, reusable: false, lines: out };
  }
  if (contentLength !== undefined) return { status, framing: 'length', contentLength, reusable, lines };
  return { status, framing: 'close', contentLength: 0, reusable: false, lines };
}

/** The lines whose header name (any case) is not in `names` (lowercase). */
export function linesWithout(lines: readonly string[], names: readonly string[]): string[] {
  const firsts = names.map((n) => n.charCodeAt(0));
  const out: string[] = [];
  for (const line of lines) {
    if (firsts.includes(line.charCodeAt(0) | 0x20) && names.includes(line.slice(0, line.indexOf(':')).toLowerCase())) continue;
    out.push(line);
  }
  return out;
}

/** Header lines as name and value in turn (the form ServerResponse.writeHead takes). */
export function linePairs(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    out.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return out;
}
