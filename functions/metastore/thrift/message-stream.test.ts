import { describe, expect, it } from 'vitest';
import { BinaryReader, BinaryWriter, MessageType, NeedMoreBytes, ThriftProtocolError, TType } from './binary-protocol.js';
import { readGenericMessage } from './generic-value.js';
import { framed, MessageStream } from './message-stream.js';

/** get_table(dbname="sales", tbl_name="orders") as libthrift's TBinaryProtocol writes it. */
function getTableCall(seqid: number, db = 'sales'): Buffer {
  const w = new BinaryWriter(8);
  w.writeMessageBegin({ name: 'get_table', type: MessageType.CALL, seqid });
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(db);
  w.writeFieldBegin(TType.STRING, 2);
  w.writeString('orders');
  w.writeFieldStop();
  return Buffer.from(w.bytes());
}

describe('the binary protocol', () => {
  it('reads back every type it writes', () => {
    const w = new BinaryWriter(4);
    w.writeMessageBegin({ name: 'set_ugi', type: MessageType.REPLY, seqid: 7 });
    w.writeFieldBegin(TType.BOOL, 1);
    w.writeBool(true);
    w.writeFieldBegin(TType.BYTE, 2);
    w.writeByte(-3);
    w.writeFieldBegin(TType.I16, 3);
    w.writeI16(-300);
    w.writeFieldBegin(TType.I32, 4);
    w.writeI32(2_000_000_000);
    w.writeFieldBegin(TType.I64, 5);
    w.writeI64(-(2n ** 62n));
    w.writeFieldBegin(TType.DOUBLE, 6);
    w.writeDouble(2.5);
    w.writeFieldBegin(TType.STRING, 7);
    w.writeString('ünïcode');
    w.writeFieldBegin(TType.LIST, 8);
    w.writeListBegin(TType.STRING, 2);
    w.writeString('a');
    w.writeString('b');
    w.writeFieldBegin(TType.MAP, 9);
    w.writeMapBegin(TType.STRING, TType.I32, 1);
    w.writeString('k');
    w.writeI32(1);
    w.writeFieldBegin(TType.STRUCT, 10);
    w.writeFieldBegin(TType.STRING, 1);
    w.writeBinary(Buffer.from([0xff, 0x00]));
    w.writeFieldStop();
    w.writeFieldStop();
    const { header, body } = readGenericMessage(Buffer.from(w.bytes()));
    expect(header).toEqual({ name: 'set_ugi', type: MessageType.REPLY, seqid: 7 });
    expect(body).toEqual({
      '1': true,
      '2': -3,
      '3': -300,
      '4': 2_000_000_000,
      '5': (-(2n ** 62n)).toString(),
      '6': 2.5,
      '7': 'ünïcode',
      '8': ['a', 'b'],
      '9': [['k', 1]],
      '10': { '1': 'base64:/wA=' },
    });
  });

  it('reads the old message header (name first), as libthrift still accepts', () => {
    const w = new BinaryWriter();
    w.writeString('get_all_databases');
    w.writeByte(MessageType.CALL);
    w.writeI32(3);
    w.writeFieldStop();
    expect(new BinaryReader(Buffer.from(w.bytes())).readMessageBegin()).toEqual({ name: 'get_all_databases', type: MessageType.CALL, seqid: 3 });
  });

  it('refuses a length past the bound and nesting past 64 levels, without reading further', () => {
    const w = new BinaryWriter();
    w.writeI32(0x7fffffff);
    expect(() => new BinaryReader(Buffer.from(w.bytes())).readString()).toThrow(ThriftProtocolError);
    const deep = new BinaryWriter();
    for (let i = 0; i < 70; i++) deep.writeFieldBegin(TType.STRUCT, 1);
    expect(() => new BinaryReader(Buffer.from(deep.bytes())).skip(TType.STRUCT)).toThrow(/deeper than 64/);
    expect(() => new BinaryReader(Buffer.from([0x0b, 0x00])).skip(TType.STRUCT)).toThrow(NeedMoreBytes);
  });
});

describe('MessageStream', () => {
  it('cuts unframed messages that arrive a byte at a time, and two in one chunk', () => {
    const stream = new MessageStream();
    const one = getTableCall(1);
    const got: Buffer[] = [];
    for (const byte of one) got.push(...stream.push(Buffer.from([byte])));
    expect(got).toEqual([one]);
    expect(stream.framing).toBe('unframed');
    const two = Buffer.concat([getTableCall(2), getTableCall(3, 'ops')]);
    const both = stream.push(two);
    expect(both.map((m) => readGenericMessage(m).header.seqid)).toEqual([2, 3]);
    expect(stream.pending).toBe(0);
  });

  it('takes framed messages, split anywhere, and frames its answers the same way', () => {
    const stream = new MessageStream();
    const message = getTableCall(9);
    const bytes = Buffer.concat(framed(message, 'framed'));
    expect(stream.push(bytes.subarray(0, 6))).toEqual([]);
    expect(stream.framing).toBe('framed');
    expect(stream.push(bytes.subarray(6))).toEqual([message]);
  });

  it('refuses bytes that are no Thrift message', () => {
    expect(() => new MessageStream().push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toThrow(ThriftProtocolError);
  });
});
