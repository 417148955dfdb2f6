/**
 * Thrift's binary protocol, as Hive's metastore clients speak it (libthrift's TBinaryProtocol): big-endian integers,
 * length-prefixed strings, fields tagged with their id and type, a stop byte ending each struct. Only the wire
 * format lives here; what the fields mean is the schema's (schema.ts).
 */

/** Thrift's type ids on the wire. */
export const TType = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
} as const;
export type TTypeId = (typeof TType)[keyof typeof TType];

export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

const VERSION_1 = 0x80010000;
const VERSION_MASK = 0xffff0000;

/** The bytes end before the value does: wait for more of the message. */
export class NeedMoreBytes extends Error {
  constructor() {
    super('the message is not complete yet');
  }
}

/** The bytes are not a Thrift binary message (a protocol error: the connection is closed). */
export class ThriftProtocolError extends Error {
  readonly code = 'LAKEPLANE_THRIFT_PROTOCOL';
}

/** The most any one string, binary or collection may claim: a bad length must not make us allocate gigabytes. */
export const MAX_CONTAINER = 64 * 1024 * 1024;

export interface MessageHeader {
  readonly name: string;
  readonly type: MessageTypeId;
  readonly seqid: number;
}

/** Reads values from one buffer; throws NeedMoreBytes when it runs out. */
export class BinaryReader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    private readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.end) throw new NeedMoreBytes();
    this.offset = at + n;
    return at;
  }

  /** A message header, in the strict form (version word first) or the old one (name first), as libthrift accepts. */
  readMessageBegin(): MessageHeader {
    const first = this.readI32();
    if (first < 0) {
      if ((first & VERSION_MASK) >>> 0 !== VERSION_1) throw new ThriftProtocolError(`unsupported Thrift protocol version ${(first >>> 0).toString(16)}`);
      const type = (first & 0xff) as MessageTypeId;
      const name = this.readString();
      return { name, type, seqid: this.readI32() };
    }
    // Non-strict: the name's length, the name, the type byte, the sequence id.
    if (first > 1024) throw new ThriftProtocolError('this is not a Thrift binary message');
    const name = this.buf.toString('utf8', this.need(first), this.offset);
    const type = this.readByte() as MessageTypeId;
    return { name, type, seqid: this.readI32() };
  }

  readFieldBegin(): { type: TTypeId; id: number } {
    const type = this.readByte() as TTypeId;
    if (type === TType.STOP) return { type, id: 0 };
    return { type, id: this.readI16() };
  }

  readByte(): number {
    return this.buf.readInt8(this.need(1));
  }

  readBool(): boolean {
    return this.readByte() !== 0;
  }

  readI16(): number {
    return this.buf.readInt16BE(this.need(2));
  }

  readI32(): number {
    return this.buf.readInt32BE(this.need(4));
  }

  readI64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }

  readDouble(): number {
    return this.buf.readDoubleBE(this.need(8));
  }

  private length(): number {
    const n = this.readI32();
    if (n < 0 || n > MAX_CONTAINER) throw new ThriftProtocolError(`a length of ${n} is out of bounds`);
    return n;
  }

  readBinary(): Buffer {
    const n = this.length();
    const at = this.need(n);
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  readString(): string {
    const n = this.length();
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }

  readListBegin(): { elementType: TTypeId; size: number } {
    const elementType = this.readByte() as TTypeId;
    return { elementType, size: this.length() };
  }

  readMapBegin(): { keyType: TTypeId; valueType: TTypeId; size: number } {
    const keyType = this.readByte() as TTypeId;
    const valueType = this.readByte() as TTypeId;
    return { keyType, valueType, size: this.length() };
  }

  /** Passes over a value of any type: what an unknown field or an unknown call's arguments need. */
  skip(type: TTypeId, depth = 0): void {
    if (depth > 64) throw new ThriftProtocolError('values are nested deeper than 64 levels');
    switch (type) {
      case TType.BOOL:
      case TType.BYTE:
        this.need(1);
        return;
      case TType.I16:
        this.need(2);
        return;
      case TType.I32:
        this.need(4);
        return;
      case TType.I64:
      case TType.DOUBLE:
        this.need(8);
        return;
      case TType.STRING:
        this.need(this.length());
        return;
      case TType.STRUCT:
        for (;;) {
          const f = this.readFieldBegin();
          if (f.type === TType.STOP) return;
          this.skip(f.type, depth + 1);
        }
      case TType.MAP: {
        const m = this.readMapBegin();
        for (let i = 0; i < m.size; i++) {
          this.skip(m.keyType, depth + 1);
          this.skip(m.valueType, depth + 1);
        }
        return;
      }
      case TType.SET:
      case TType.LIST: {
        const l = this.readListBegin();
        for (let i = 0; i < l.size; i++) this.skip(l.elementType, depth + 1);
        return;
      }
      default:
        throw new ThriftProtocolError(`unknown Thrift type ${String(type)}`);
    }
  }
}

/** Writes values into a buffer that grows as needed. */
export class BinaryWriter {
  private buf: Buffer;
  private at = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for n bytes and returns where they go. Call it before reading this.buf: it may replace it. */
  private room(n: number): number {
    if (this.at + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  /** The bytes written so far (a view: copy it before writing more). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  get length(): number {
    return this.at;
  }

  writeMessageBegin(h: MessageHeader): void {
    this.writeI32(VERSION_1 | h.type | 0);
    this.writeString(h.name);
    this.writeI32(h.seqid);
  }

  writeFieldBegin(type: TTypeId, id: number): void {
    this.writeByte(type);
    this.writeI16(id);
  }

  writeFieldStop(): void {
    this.writeByte(TType.STOP);
  }

  writeByte(v: number): void {
    const at = this.room(1);
    this.buf.writeInt8(v, at);
  }

  writeBool(v: boolean): void {
    this.writeByte(v ? 1 : 0);
  }

  writeI16(v: number): void {
    const at = this.room(2);
    this.buf.writeInt16BE(v, at);
  }

  writeI32(v: number): void {
    const at = this.room(4);
    this.buf.writeInt32BE(v, at);
  }

  writeI64(v: bigint): void {
    const at = this.room(8);
    this.buf.writeBigInt64BE(v, at);
  }

  writeDouble(v: number): void {
    const at = this.room(8);
    this.buf.writeDoubleBE(v, at);
  }

  writeString(v: string): void {
    const n = Buffer.byteLength(v, 'utf8');
    this.writeI32(n);
    const at = this.room(n);
    this.buf.write(v, at, n, 'utf8');
  }

  writeBinary(v: Uint8Array): void {
    this.writeI32(v.length);
    const at = this.room(v.length);
    this.buf.set(v, at);
  }

  writeListBegin(elementType: TTypeId, size: number): void {
    this.writeByte(elementType);
    this.writeI32(size);
  }

  writeMapBegin(keyType: TTypeId, valueType: TTypeId, size: number): void {
    this.writeByte(keyType);
    this.writeByte(valueType);
    this.writeI32(size);
  }
}
