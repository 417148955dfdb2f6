import { connect, type Socket } from 'node:net';
import { calls, type CallName } from '../../../functions/metastore/hms/calls.js';
import { BinaryReader, BinaryWriter, MessageType, TType } from '../../../functions/metastore/thrift/binary-protocol.js';
import { readStruct, readValue, writeStruct } from '../../../functions/metastore/thrift/codec.js';
import { framed, MessageStream } from '../../../functions/metastore/thrift/message-stream.js';
import type { Handler, MethodDef } from '../../../functions/metastore/thrift/service.js';
import { struct, t } from '../../../functions/metastore/thrift/schema.js';

type Call<K extends CallName> = Handler<(typeof calls)[K]>;
export type ArgsOf<K extends CallName> = Parameters<Call<K>>[0];
export type ResultOf<K extends CallName> = Awaited<ReturnType<Call<K>>>;

/** A call answered with one of its declared exceptions (e.g. NoSuchObjectException), or with a TApplicationException. */
export class HmsCallError extends Error {
  constructor(
    readonly exception: string,
    readonly detail: string,
  ) {
    super(`${exception}: ${detail}`);
  }
}

const TApplicationException = struct('TApplicationException', {
  message: { id: 1, type: t.string, required: false },
  type: { id: 2, type: t.i32, required: false },
});

/**
 * A Thrift client of the HMS calls the metastore declares (functions/metastore/hms/calls.ts), for tests and
 * benchmarks: the same bytes on the wire as Hive's client (binary protocol, unframed by default), one call at a
 * time per connection. It serves against any HMS: ours, or Hive's own.
 */
export interface HmsClient {
  call<K extends CallName>(name: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  /** A call by name with raw argument bytes: for calls no declaration covers (what an unknown call gets). */
  raw(name: string, args?: (w: BinaryWriter) => void): Promise<{ type: number; body: Buffer }>;
  close(): void;
}

export async function connectHms(port: number, options: { host?: string; framed?: boolean } = {}): Promise<HmsClient> {
  const socket: Socket = connect({ host: options.host ?? '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const stream = new MessageStream();
  let waiting: { resolve: (m: Buffer) => void; reject: (e: Error) => void } | undefined;
  let seqid = 0;
  socket.on('data', (chunk: Buffer) => {
    for (const message of stream.push(chunk)) {
      const w = waiting;
      waiting = undefined;
      w?.resolve(message);
    }
  });
  const fail = (err: Error) => {
    const w = waiting;
    waiting = undefined;
    w?.reject(err);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the metastore closed the connection')));

  const send = (name: string, body: (w: BinaryWriter) => void): Promise<Buffer> => {
    if (waiting) throw new Error('one call at a time per connection');
    const w = new BinaryWriter(256);
    w.writeMessageBegin({ name, type: MessageType.CALL, seqid: ++seqid });
    body(w);
    const reply = new Promise<Buffer>((resolve, reject) => (waiting = { resolve, reject }));
    for (const piece of framed(Buffer.from(w.bytes()), options.framed ? 'framed' : 'unframed')) socket.write(piece);
    return reply;
  };

  return {
    async call<K extends CallName>(name: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      const def = calls[name] as unknown as MethodDef;
      const message = await send(name, (w) => writeStruct(w, def.args, args as Record<string, unknown>));
      const r = new BinaryReader(message);
      const header = r.readMessageBegin();
      if (header.type === MessageType.EXCEPTION) {
        const e = readStruct(r, TApplicationException);
        throw new HmsCallError('TApplicationException', `${e.message ?? ''} (type ${e.type ?? '?'})`);
      }
      let value: unknown;
      for (;;) {
        const f = r.readFieldBegin();
        if (f.type === TType.STOP) break;
        if (f.id === 0 && def.returns) value = readValue(r, def.returns);
        else {
          const declared = def.throws.find((x) => x.id === f.id);
          if (!declared) {
            r.skip(f.type);
            continue;
          }
          const e = readStruct(r, declared.struct) as { message?: string };
          throw new HmsCallError(declared.struct.name, e.message ?? '');
        }
      }
      return value as ResultOf<K>;
    },
    async raw(name, args) {
      const message = await send(name, (w) => (args ? args(w) : w.writeFieldStop()));
      const r = new BinaryReader(message);
      const header = r.readMessageBegin();
      return { type: header.type, body: message.subarray(r.offset) };
    },
    close() {
      socket.destroy();
    },
  };
}
