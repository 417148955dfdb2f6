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
  /** The end-to-end headers, name and value in turn (the flat form ServerResponse.writeHead takes). */
  readonly headers: string[];
}

export class UpstreamProtocolError extends Error {
  readonly code = 'LAKEPLANE_UPSTREAM_PROTOCOL';
}

/** The longest response head taken from a function (Node's own default for what it accepts). */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

/** Never passed to the client: they describe one connection (RFC 9110 section 7.6.1), the gateway's own. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\0\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\0\r\n]/;
const DIGITS = /^\d{1,15}$/;

/**
 * Parses a head (`text`: its bytes as latin1, up to but without the blank line). `noBody`: the request was HEAD, or
 * the status is one that never has a body (1xx, 204, 304), whatever the framing headers say.
 */
export function parseResponseHead(text: string, requestMethod: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = STATUS_LINE.exec(lines[0] ?? '');
  if (!statusLine) throw new UpstreamProtocolError('the answer did not begin with an HTTP/1.x status line');
  const minor = statusLine[1];
  const status = Number(statusLine[2]);
  const kept: string[] = [];
  const connectionTokens: string[] = [];
  let contentLength: number | undefined;
  let transferEncoding: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new UpstreamProtocolError('the answer has a malformed header line');
    const value = line.slice(colon + 1).trim();
    if (BAD_VALUE.test(value)) throw new UpstreamProtocolError(`the answer's ${name} header holds a control character`);
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      // "5, 5" or a repeated header with one value is one length (RFC 9110 section 8.6); two lengths are an error.
      for (const part of value.split(',')) {
        const v = part.trim();
        if (!DIGITS.test(v) || (contentLength !== undefined && contentLength !== Number(v))) {
          throw new UpstreamProtocolError('the answer has an invalid Content-Length');
        }
        contentLength = Number(v);
      }
    } else if (lower === 'transfer-encoding') {
      transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
    } else if (lower === 'connection') {
      for (const t of value.split(',')) connectionTokens.push(t.trim().toLowerCase());
    }
    if (HOP_BY_HOP.has(lower)) continue;
    kept.push(lower, value);
  }
  const headers = connectionTokens.length === 0 ? kept : withoutNamed(kept, connectionTokens);
  let reusable = minor === '1' ? !connectionTokens.includes('close') : connectionTokens.includes('keep-alive');

  const noBody = requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304;
  if (noBody) return { status, framing: 'length', contentLength: 0, reusable, headers };
  if (transferEncoding !== undefined) {
    // A length beside a transfer coding is ignored, and such a connection is not reused (RFC 9112 section 6.3).
    if (contentLength !== undefined) reusable = false;
    const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase());
    const chunked = codings[codings.length - 1] === 'chunked';
    const out = contentLength === undefined ? headers : withoutNamed(headers, ['content-length']);
    return chunked
      ? { status, framing: 'chunked', contentLength: 0, reusable, headers: out }
      : { status, framing: 'close', contentLength: 0, reusable: false, headers: out };
  }
  if (contentLength !== undefined) return { status, framing: 'length', contentLength, reusable, headers };
  return { status, framing: 'close', contentLength: 0, reusable: false, headers };
}

function withoutNamed(flat: string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    if (!names.includes(flat[i] as string)) out.push(flat[i] as string, flat[i + 1] as string);
  }
  return out;
}
