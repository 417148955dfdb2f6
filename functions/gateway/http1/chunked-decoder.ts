import { UpstreamProtocolError } from './response-head.js';

const MAX_SIZE_LINE = 1024;
const MAX_TRAILER_BYTES = 16 * 1024;
const HEX = /^[0-9A-Fa-f]{1,12}$/;

/**
 * Reads a chunked body (RFC 9112 section 7.1) as it arrives, handing on the data and finding where the message ends,
 * so the connection can carry the next request. Chunk extensions and trailer fields are read past, not passed on:
 * the client's connection is framed by Node itself.
 */
export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private line = '';
  private remaining = 0;
  private trailerBytes = 0;

  /**
   * Reads `buf` from `start`; `onData` gets each piece of data. Returns where the message ended in `buf` (anything
   * after belongs to no request), or -1 when more is to come. Throws UpstreamProtocolError on malformed framing.
   */
  push(buf: Buffer, start: number, onData: (data: Buffer) => void): number {
    let i = start;
    while (i < buf.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length - i);
        onData(buf.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) {
          this.state = 'data-end';
          this.line = '';
        }
        continue;
      }
      const lf = buf.indexOf(10, i);
      const end = lf === -1 ? buf.length : lf + 1;
      this.line += buf.toString('latin1', i, end);
      i = end;
      if (lf === -1) {
        if (this.line.length > (this.state === 'trailer' ? MAX_TRAILER_BYTES : MAX_SIZE_LINE)) {
          throw new UpstreamProtocolError('the answer has an overlong chunk line');
        }
        continue;
      }
      if (!this.line.endsWith('\r\n')) throw new UpstreamProtocolError('the answer has a chunk line without CRLF');
      const text = this.line.slice(0, -2);
      this.line = '';
      if (this.state === 'data-end') {
        if (text !== '') throw new UpstreamProtocolError('the answer has a chunk longer than its size');
        this.state = 'size';
      } else if (this.state === 'size') {
        const semicolon = text.indexOf(';');
        const size = (semicolon === -1 ? text : text.slice(0, semicolon)).trim();
        if (!HEX.test(size)) throw new UpstreamProtocolError('the answer has an invalid chunk size');
        this.remaining = parseInt(size, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
      } else {
        // Trailer fields, up to the empty line that ends the message.
        if (text === '') return i;
        this.trailerBytes += text.length + 2;
        if (this.trailerBytes > MAX_TRAILER_BYTES) throw new UpstreamProtocolError('the answer has overlong trailers');
      }
    }
    return -1;
  }
}
