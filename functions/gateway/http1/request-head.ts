/**
 * A request head the gateway's own HTTP/1.1 reader takes (http1/client-connection.ts): the plain requests that are
 * nearly all of an API's traffic. The reader is strict on purpose: whatever is not plainly well-formed and plain in
 * framing (HTTP/1.0, a transfer coding, Expect, Upgrade, a folded or odd header, a repeated Content-Length, Host or
 * Authorization) is not parsed here at all; the connection goes to Node's HTTP server, which reads the same bytes
 * and answers or refuses them as it does for every other server of the platform. No request is framed two ways.
 */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent (origin-form: the path and query). */
  readonly target: string;
  /** The target's path, without the query. */
  readonly path: string;
  /** Lowercase name and value in turn, in the order they came. */
  readonly headers: string[];
  /** Bytes of body that follow the head (0 when no Content-Length). */
  readonly contentLength: number;
  readonly authorization: string | undefined;
  readonly requestId: string | undefined;
  readonly forwardedFor: string | undefined;
  /** The client asked for the connection to close after this answer. */
  readonly close: boolean;
}

const REQUEST_LINE = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\/[!-~]*) HTTP\/1\.1$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DIGITS = /^\d{1,15}$/;

/** `text`: the head's bytes as latin1, without the blank line that ends it. undefined: Node's server is to read it. */
export function parseRequestHead(text: string): RequestHead | undefined {
  const lines = text.split('\r\n');
  const requestLine = REQUEST_LINE.exec(lines[0] as string);
  if (!requestLine) return undefined;
  const method = requestLine[1] as string;
  const target = requestLine[2] as string;
  const headers: string[] = [];
  let contentLength: number | undefined;
  let host = 0;
  let authorization: string | undefined;
  let requestId: string | undefined;
  let forwardedFor: string | undefined;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(name)) return undefined;
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return undefined;
    switch (name) {
      case 'content-length':
        if (contentLength !== undefined || !DIGITS.test(value)) return undefined;
        contentLength = Number(value);
        break;
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
      case 'host':
        host++;
        break;
      case 'authorization':
        if (authorization !== undefined) return undefined;
        authorization = value;
        break;
      case 'x-request-id':
        requestId ??= value;
        break;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        break;
      case 'connection':
        for (const t of value.split(',')) {
          const token = t.trim().toLowerCase();
          if (token === 'close') close = true;
          else if (token === 'upgrade') return undefined;
        }
        break;
    }
    headers.push(name, value);
  }
  if (host !== 1) return undefined;
  const q = target.indexOf('?');
  return {
    method,
    target,
    path: q === -1 ? target : target.slice(0, q),
    headers,
    contentLength: contentLength ?? 0,
    authorization,
    requestId,
    forwardedFor,
    close,
  };
}
