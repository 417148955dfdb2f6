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
  /** The header lines as they came ("Name: value"). */
  readonly lines: string[];
  /** Bytes of body that follow the head (0 when no Content-Length). */
  readonly contentLength: number;
  readonly authorization: string | undefined;
  readonly requestId: string | undefined;
  readonly forwardedFor: string | undefined;
  /** The client asked for the connection to close after this answer. */
  readonly close: boolean;
}

/**
 * A whole head in one match: a request line this reader takes (origin-form target, HTTP/1.1), then header lines
 * whose names are tokens and whose values hold visible characters, spaces and tabs only (no folding, no bare CR or
 * LF). One regular expression over the head costs less than a check per line.
 */
const WELL_FORMED = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\/[!-~]*) HTTP\/1\.1(?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*)*$/;
const DIGITS = /^\d{1,15}$/;
/** First letters (lowercase) of the header names this reader acts on: any other line is taken as it is, unread. */
const READ_FIRST = new Set(['a', 'c', 'e', 'h', 't', 'u', 'x'].map((c) => c.charCodeAt(0)));

/** `text`: the head's bytes as latin1, without the blank line that ends it. undefined: Node's server is to read it. */
export function parseRequestHead(text: string): RequestHead | undefined {
  const formed = WELL_FORMED.exec(text);
  if (!formed) return undefined;
  const method = formed[1] as string;
  const target = formed[2] as string;
  const lines: string[] = [];
  let contentLength: number | undefined;
  let host = 0;
  let authorization: string | undefined;
  let requestId: string | undefined;
  let forwardedFor: string | undefined;
  let close = false;
  let lineEnd = text.indexOf('\r\n');
  for (let at = lineEnd + 2; lineEnd !== -1; at = lineEnd + 2) {
    lineEnd = text.indexOf('\r\n', at);
    const line = lineEnd === -1 ? text.slice(at) : text.slice(at, lineEnd);
    lines.push(line);
    if (!READ_FIRST.has(line.charCodeAt(0) | 0x20)) continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    switch (name) {
      case 'content-length': {
        const value = line.slice(colon + 1).trim();
        if (contentLength !== undefined || !DIGITS.test(value)) return undefined;
        contentLength = Number(value);
        break;
      }
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
      case 'host':
        host++;
        break;
      case 'authorization':
        if (authorization !== undefined) return undefined;
        authorization = line.slice(colon + 1).trim();
        break;
      case 'x-request-id':
        requestId ??= line.slice(colon + 1).trim();
        break;
      case 'x-forwarded-for': {
        const value = line.slice(colon + 1).trim();
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        break;
      }
      case 'connection': {
        const value = line.slice(colon + 1);
        for (const t of value.includes(',') ? value.split(',') : [value]) {
          const token = t.trim().toLowerCase();
          if (token === 'close') close = true;
          else if (token === 'upgrade') return undefined;
        }
        break;
      }
    }
  }
  if (host !== 1) return undefined;
  const q = target.indexOf('?');
  return {
    method,
    target,
    path: q === -1 ? target : target.slice(0, q),
    lines,
    contentLength: contentLength ?? 0,
    authorization,
    requestId,
    forwardedFor,
    close,
  };
}
