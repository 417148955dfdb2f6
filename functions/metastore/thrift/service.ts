import { BinaryReader, BinaryWriter, type MessageHeader, MessageType, ThriftProtocolError, TType } from './binary-protocol.js';
import { readStruct, ThriftValidationError, writeStruct, writeValue } from './codec.js';
import { type Desc, type FieldDef, struct, type StructDef, type StructValue, t, type ValueOf, wireType } from './schema.js';

/** TApplicationException's types (libthrift): what a client sees when the call itself failed, not the operation. */
export const ApplicationErrorType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
} as const;

const TApplicationException = struct('TApplicationException', {
  message: { id: 1, type: t.string, required: false },
  type: { id: 2, type: t.i32, required: false },
});

/** A service call's declaration: its arguments, what it returns (undefined: void), the exceptions it declares. */
export interface MethodDef<A extends Record<string, FieldDef> = Record<string, FieldDef>, R extends Desc | undefined = Desc | undefined> {
  readonly name: string;
  readonly args: StructDef<A>;
  readonly returns: R;
  /** Declared exceptions: the result struct's field id of each. */
  readonly throws: ReadonlyArray<{ readonly id: number; readonly struct: StructDef }>;
}

export function method<A extends Record<string, FieldDef>, R extends Desc | undefined>(
  name: string,
  args: A,
  returns: R,
  throws: ReadonlyArray<{ readonly id: number; readonly struct: StructDef }> = [],
): MethodDef<A, R> {
  return { name, args: struct(`${name}_args`, args), returns, throws };
}

/** One of a call's declared exceptions (MetaException, NoSuchObjectException, ...), as the client will receive it. */
export class DeclaredException extends Error {
  constructor(
    readonly struct: StructDef,
    readonly value: Record<string, unknown>,
  ) {
    super(`${struct.name}: ${String(value['message'] ?? '')}`);
  }
}

export type Handler<M> = M extends MethodDef<infer A, infer R> ? (args: StructValue<A>) => Promise<R extends Desc ? ValueOf<R> : void> : never;

/** The calls one connection's peer may make, and what answers each. */
export interface ServiceImplementation {
  readonly methods: ReadonlyMap<string, { def: MethodDef; handle: (args: Record<string, unknown>) => Promise<unknown> }>;
  /** A call of no declared method: answered as UNKNOWN_METHOD, with the service's own message. */
  unknownMethod(name: string): string;
  /** An error that is neither declared nor a protocol error: its message for the client's TApplicationException. */
  internalError(name: string, err: unknown): string;
}

/** Answers one whole call message; returns the reply message's bytes (undefined for a oneway call). */
export async function answerCall(service: ServiceImplementation, message: Buffer): Promise<Buffer | undefined> {
  const r = new BinaryReader(message);
  const header = r.readMessageBegin();
  if (header.type !== MessageType.CALL && header.type !== MessageType.ONEWAY) {
    return applicationError(header, ApplicationErrorType.INVALID_MESSAGE_TYPE, `a message of type ${header.type} is not a call`);
  }
  const entry = service.methods.get(header.name);
  if (!entry) {
    r.skip(TType.STRUCT);
    return applicationError(header, ApplicationErrorType.UNKNOWN_METHOD, service.unknownMethod(header.name));
  }
  let args: Record<string, unknown>;
  try {
    args = readStruct(r, entry.def.args);
  } catch (err) {
    if (err instanceof ThriftValidationError || err instanceof ThriftProtocolError)
      return applicationError(header, ApplicationErrorType.PROTOCOL_ERROR, err.message);
    throw err;
  }
  let value: unknown;
  try {
    value = await entry.handle(args);
  } catch (err) {
    if (err instanceof DeclaredException) {
      const declared = entry.def.throws.find((e) => e.struct === err.struct);
      if (declared) return reply(header, (w) => writeResultField(w, declared.id, { kind: 'struct', struct: declared.struct }, err.value));
    }
    return applicationError(header, ApplicationErrorType.INTERNAL_ERROR, service.internalError(header.name, err));
  }
  if (header.type === MessageType.ONEWAY) return undefined;
  const returns = entry.def.returns;
  return reply(header, (w) => {
    if (returns !== undefined && value !== undefined && value !== null) writeResultField(w, 0, returns, value);
    else w.writeFieldStop();
  });
}

/** The result struct of a reply: one field (0: what the call returns; else the declared exception's id). */
function writeResultField(w: BinaryWriter, id: number, type: Desc, value: unknown): void {
  w.writeFieldBegin(wireType(type), id);
  writeValue(w, type, value);
  w.writeFieldStop();
}

function reply(header: MessageHeader, body: (w: BinaryWriter) => void): Buffer {
  const w = new BinaryWriter(256);
  w.writeMessageBegin({ name: header.name, type: MessageType.REPLY, seqid: header.seqid });
  body(w);
  return Buffer.from(w.bytes());
}

export function applicationError(header: Pick<MessageHeader, 'name' | 'seqid'>, type: number, message: string): Buffer {
  const w = new BinaryWriter(128);
  w.writeMessageBegin({ name: header.name, type: MessageType.EXCEPTION, seqid: header.seqid });
  writeStruct(w, TApplicationException, { message, type });
  return Buffer.from(w.bytes());
}
