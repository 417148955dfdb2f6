import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from './chunked-decoder.js';
import { parseResponseHead, UpstreamProtocolError } from './response-head.js';

describe("a function's answer, read by the gateway", () => {
  it('drops the connection headers and those Connection names; tells the framing', () => {
    const head = parseResponseHead(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5',
      'GET',
    );
    expect(head).toEqual({
      status: 200,
      framing: 'length',
      contentLength: 5,
      reusable: true,
      lines: ['Content-Type: text/plain', 'Set-Cookie: a=1', 'Set-Cookie: b=2', 'Content-Length: 5'],
    });
  });

  it('chunked beats a length, and such a connection is not reused; no length and no coding reads to the close', () => {
    const both = parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked', 'GET');
    expect(both).toMatchObject({ framing: 'chunked', reusable: false, lines: [] });
    expect(parseResponseHead('HTTP/1.1 200 OK', 'GET')).toMatchObject({ framing: 'close', reusable: false });
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1', 'GET')).toMatchObject({ reusable: false });
    expect(parseResponseHead('HTTP/1.0 200 OK\r\nContent-Length: 1', 'GET')).toMatchObject({ reusable: false });
  });

  it('HEAD, 204 and 304 have no body whatever the headers say', () => {
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 10', 'HEAD')).toMatchObject({
      framing: 'length',
      contentLength: 0,
      lines: ['Content-Length: 10'],
    });
    expect(parseResponseHead('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked', 'GET')).toMatchObject({ contentLength: 0, framing: 'length' });
  });

  it('refuses what is not well-formed', () => {
    for (const bad of [
      'HTTP/2 200',
      'HTTP/1.1 200 OK\r\nBad Header: x',
      'HTTP/1.1 200 OK\r\n folded: x',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2',
      'HTTP/1.1 200 OK\r\nContent-Length: -1',
      'HTTP/1.1 200 OK\r\nX: a\nb',
    ]) {
      expect(() => parseResponseHead(bad, 'GET'), bad).toThrow(UpstreamProtocolError);
    }
  });

  it('reads chunks split anywhere, and finds the end of the message', () => {
    const body = Buffer.from('5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT');
    for (let split = 1; split < body.length; split++) {
      const decoder = new ChunkedDecoder();
      const seen: Buffer[] = [];
      const first = decoder.push(body.subarray(0, split), 0, (d) => seen.push(Buffer.from(d)));
      const rest = body.subarray(split);
      const after = first === -1 ? rest.subarray(decoder.push(rest, 0, (d) => seen.push(Buffer.from(d)))) : Buffer.concat([body.subarray(first, split), rest]);
      expect(Buffer.concat(seen).toString(), `split at ${split}`).toBe('hello world');
      expect(after.toString(), `split at ${split}`).toBe('NEXT');
    }
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'), 0, () => {})).toThrow(UpstreamProtocolError);
    expect(() => new ChunkedDecoder().push(Buffer.from('1\r\nab\r\n'), 0, () => {})).toThrow(UpstreamProtocolError);
  });
});
