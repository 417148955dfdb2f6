import { BinaryReader, NeedMoreBytes, ThriftProtocolError, TType } from './binary-protocol.js';

/** The largest message taken from a client (an add_partitions of thousands of partitions fits many times over). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export type Framing = 'framed' | 'unframed';

/**
 * Cuts a connection's bytes into whole Thrift messages. Hive's clients send either transport: unframed (TSocket,
 * Spark's Hive client by default) or framed (a 4-byte length before each message, hive.metastore.thrift.framed.
 * transport.enabled). Which one is decided on the first bytes: a strict binary message begins 0x80 0x01; a frame
 * begins with its length, then such a message. Answers go back in the same framing.
 */
export class MessageStream {
  private chunks: Buffer[] = [];
  private buffered = 0;
  framing: Framing | undefined;

  /** Adds bytes; returns the messages now complete (each a buffer holding exactly one message). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > MAX_MESSAGE_BYTES + 4) throw new ThriftProtocolError(`a message over ${MAX_MESSAGE_BYTES} bytes`);
    const out: Buffer[] = [];
    for (;;) {
      const buf = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
      this.chunks = [buf];
      if (this.framing === undefined) {
        if (buf.length < 5) return out;
        this.framing = buf[0] === 0x80 ? 'unframed' : buf[4] === 0x80 ? 'framed' : 'unframed';
      }
      const end = this.framing === 'framed' ? frameEnd(buf) : messageEnd(buf);
      if (end === undefined) return out;
      out.push(this.framing === 'framed' ? buf.subarray(4, end) : buf.subarray(0, end));
      const rest = buf.subarray(end);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      if (rest.length === 0) return out;
    }
  }

  /** Bytes received and not yet part of a whole message. */
  get pending(): number {
    return this.buffered;
  }
}

function frameEnd(buf: Buffer): number | undefined {
  if (buf.length < 4) return undefined;
  const size = buf.readInt32BE(0);
  if (size < 0 || size > MAX_MESSAGE_BYTES) throw new ThriftProtocolError(`a frame of ${size} bytes`);
  return buf.length >= 4 + size ? 4 + size : undefined;
}

/** Where an unframed message ends: its header, then its one struct (the arguments or the result). */
function messageEnd(buf: Buffer): number | undefined {
  const r = new BinaryReader(buf);
  try {
    r.readMessageBegin();
    r.skip(TType.STRUCT);
    return r.offset;
  } catch (e) {
    if (e instanceof NeedMoreBytes) return undefined;
    throw e;
  }
}

/** A frame around a message, when the connection is framed. */
export function framed(message: Buffer, framing: Framing | undefined): Buffer[] {
  if (framing !== 'framed') return [message];
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(message.length, 0);
  return [size, message];
}
