import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryWriter, MessageType, TType } from './binary-protocol.js';
import { readGenericMessage } from './generic-value.js';
import { framed, type Framing, MessageStream } from './message-stream.js';
import { field, struct, t } from './schema.js';
import { ApplicationErrorType, DeclaredException, method, type ServiceImplementation } from './service.js';
import { createThriftServer } from './thrift-server.js';

const ConfigValSecurityException = struct('ConfigValSecurityException', { message: field(1, t.string) });
const getConfigValue = method('get_config_value', { name: field(1, t.string), defaultValue: field(2, t.string) }, t.string, [
  { id: 1, struct: ConfigValSecurityException },
]);
const setUgi = method('set_ugi', { user_name: field(1, t.string), group_names: field(2, t.list(t.string)) }, t.list(t.string));

const service: ServiceImplementation = {
  methods: new Map([
    [
      getConfigValue.name,
      {
        def: getConfigValue,
        handle: async (args: Record<string, unknown>) => {
          if (args['name'] === 'javax.jdo.option.ConnectionPassword') throw new DeclaredException(ConfigValSecurityException, { message: 'not readable' });
          if (args['name'] === 'boom') throw new Error('a bug');
          return args['name'] === 'hive.metastore.try.direct.sql' ? 'true' : args['defaultValue'];
        },
      },
    ],
    [setUgi.name, { def: setUgi, handle: async (args: Record<string, unknown>) => [args['user_name'], ...((args['group_names'] as string[]) ?? [])] }],
  ]),
  unknownMethod: (name) => `${name} is not served here`,
  internalError: () => 'internal error (error id e-1)',
};

const server = createThriftServer({ serviceFor: () => service, onConnectionError: () => {}, idleTimeoutMs: 10_000 });
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAll();
  await new Promise((resolve) => server.close(resolve));
});

function call(name: string, seqid: number, args: (w: BinaryWriter) => void): Buffer {
  const w = new BinaryWriter();
  w.writeMessageBegin({ name, type: MessageType.CALL, seqid });
  args(w);
  w.writeFieldStop();
  return Buffer.from(w.bytes());
}

const configCall = (seqid: number, name: string) =>
  call('get_config_value', seqid, (w) => {
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString(name);
    w.writeFieldBegin(TType.STRING, 2);
    w.writeString('fallback');
  });

/** Sends calls on one connection (all at once: pipelined) and reads as many answers. */
async function exchange(framing: Framing, calls: Buffer[]) {
  const socket = connect({ host: '127.0.0.1', port });
  const stream = new MessageStream();
  const answers: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk) => {
      answers.push(...stream.push(chunk));
      if (answers.length === calls.length) resolve();
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${answers.length} answers`)));
    for (const c of calls) for (const piece of framed(c, framing)) socket.write(piece);
  });
  socket.destroy();
  return { framing: stream.framing, answers: answers.map(readGenericMessage) };
}

describe('the Thrift server', () => {
  for (const framing of ['unframed', 'framed'] as const) {
    it(`answers calls in order, ${framing}, in the framing they came in`, async () => {
      const { framing: answered, answers } = await exchange(framing, [
        configCall(1, 'hive.metastore.try.direct.sql'),
        configCall(2, 'other'),
        call('set_ugi', 3, (w) => {
          w.writeFieldBegin(TType.STRING, 1);
          w.writeString('alice');
          w.writeFieldBegin(TType.LIST, 2);
          w.writeListBegin(TType.STRING, 1);
          w.writeString('analysts');
        }),
      ]);
      expect(answered).toBe(framing);
      expect(answers).toEqual([
        { header: { name: 'get_config_value', type: MessageType.REPLY, seqid: 1 }, body: { '0': 'true' } },
        { header: { name: 'get_config_value', type: MessageType.REPLY, seqid: 2 }, body: { '0': 'fallback' } },
        { header: { name: 'set_ugi', type: MessageType.REPLY, seqid: 3 }, body: { '0': ['alice', 'analysts'] } },
      ]);
    });
  }

  it("answers a declared exception in the call's result, anything else as a TApplicationException, and keeps the connection", async () => {
    const { answers } = await exchange('unframed', [
      configCall(1, 'javax.jdo.option.ConnectionPassword'),
      call('get_table_meta', 2, (w) => {
        w.writeFieldBegin(TType.STRING, 1);
        w.writeString('db');
      }),
      configCall(3, 'boom'),
      call('get_config_value', 4, (w) => {
        w.writeFieldBegin(TType.LIST, 1);
        w.writeListBegin(TType.I32, 0);
      }),
      configCall(5, 'other'),
    ]);
    expect(answers.map((a) => [a.header.type, a.body])).toEqual([
      [MessageType.REPLY, { '1': { '1': 'not readable' } }],
      [MessageType.EXCEPTION, { '1': 'get_table_meta is not served here', '2': ApplicationErrorType.UNKNOWN_METHOD }],
      [MessageType.EXCEPTION, { '1': 'internal error (error id e-1)', '2': ApplicationErrorType.INTERNAL_ERROR }],
      // A field of another wire type is skipped, as libthrift skips it: no name and no default, so no result.
      [MessageType.REPLY, {}],
      [MessageType.REPLY, { '0': 'fallback' }],
    ]);
  });
});
