/**
 * A refusal HiveServer2 clients can show. Over HTTP transport, JDBC reports any status but 200 as "HTTP Response
 * code: 503" and PyHive tries to read the body as Thrift; neither shows a problem+json body. So a refused Thrift call
 * is answered as HiveServer2 answers a failed one: 200 with the call's reply whose TStatus is ERROR_STATUS and
 * carries the message and an SQL state, which beeline, JDBC and PyHive print. (Only a body that is not a Thrift call
 * gets the problem+json answer.)
 *
 * TBinaryProtocol, strict: a message is i32 (0x80010000 | type), the method name (i32 length, bytes), i32 sequence
 * id, then the `<method>_result` struct whose field 0 is the reply struct. Every TCLIService reply has its TStatus as
 * field 1; TOpenSessionResp also requires field 2, the protocol version.
 */
const VERSION_1 = 0x80010000;
const MESSAGE = { CALL: 1, REPLY: 2, ONEWAY: 4 } as const;
const TYPE = { STOP: 0, I32: 8, STRING: 11, STRUCT: 12 } as const;
const ERROR_STATUS = 3;
/** HIVE_CLI_SERVICE_PROTOCOL_V8, what Hive 2.3's server speaks. */
const PROTOCOL_VERSION = 7;

export interface ThriftCall {
  method: string;
  seqid: number;
}

/** The call a request body holds, or undefined when it is not a strict TBinaryProtocol call. */
export function thriftCallOf(body: Buffer): ThriftCall | undefined {
  if (body.length < 12) return undefined;
  const version = body.readUInt32BE(0);
  if ((version & 0xffff0000) >>> 0 !== VERSION_1 || ((version & 0xff) !== MESSAGE.CALL && (version & 0xff) !== MESSAGE.ONEWAY)) return undefined;
  const length = body.readInt32BE(4);
  if (length < 1 || length > 128 || body.length < 12 + length) return undefined;
  const method = body.subarray(8, 8 + length).toString('utf8');
  if (!/^[A-Za-z]+$/.test(method)) return undefined;
  return { method, seqid: body.readInt32BE(8 + length) };
}

const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const fieldHeader = (type: number, id: number) => Buffer.from([type, (id >> 8) & 0xff, id & 0xff]);
const text = (s: string) => {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([i32(bytes.length), bytes]);
};

/** The reply to `call` saying it failed: the message, and an SQL state (08S01: the connection failed). */
export function thriftErrorReply(call: ThriftCall, message: string, sqlState = '08S01'): Buffer {
  const status = Buffer.concat([
    fieldHeader(TYPE.I32, 1),
    i32(ERROR_STATUS),
    fieldHeader(TYPE.STRING, 3),
    text(sqlState),
    fieldHeader(TYPE.STRING, 5),
    text(message),
    Buffer.from([TYPE.STOP]),
  ]);
  const reply = Buffer.concat([
    fieldHeader(TYPE.STRUCT, 1),
    status,
    ...(call.method === 'OpenSession' ? [fieldHeader(TYPE.I32, 2), i32(PROTOCOL_VERSION)] : []),
    Buffer.from([TYPE.STOP]),
  ]);
  return Buffer.concat([
    i32((VERSION_1 | MESSAGE.REPLY) >> 0),
    text(call.method),
    i32(call.seqid),
    fieldHeader(TYPE.STRUCT, 0),
    reply,
    Buffer.from([TYPE.STOP]),
  ]);
}
