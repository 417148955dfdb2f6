import { connect, createServer, type Server, type Socket } from 'node:net';
import { MessageType } from '../../../functions/metastore/thrift/binary-protocol.js';
import { type GenericValue, readGenericMessage } from '../../../functions/metastore/thrift/generic-value.js';
import { MessageStream } from '../../../functions/metastore/thrift/message-stream.js';

/** One call a client made and how the metastore behind answered it. */
export interface RecordedCall {
  readonly connection: number;
  /** Date.now() when the call arrived. */
  readonly at: number;
  readonly seqid: number;
  readonly name: string;
  readonly framing: string;
  /** The arguments, by field id (generic-value.ts). */
  readonly args: GenericValue;
  /** 'reply' with the result's field id (0: success, else the exception's), or 'exception' (TApplicationException). */
  answer?: { kind: 'reply'; fieldIds: string[] } | { kind: 'exception'; message: string };
}

export interface CallRecorder {
  readonly port: number;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real Hive metastore that records every Thrift call passing through, whole, and passes
 * the bytes on unchanged both ways. Which calls Spark's Hive client and Trino's Hive connector make is found by
 * running them through this, not by reading their code.
 */
export async function startCallRecorder(upstreamPort: number, upstreamHost = '127.0.0.1'): Promise<CallRecorder> {
  const calls: RecordedCall[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    const id = ++connections;
    const upstream = connect({ host: upstreamHost, port: upstreamPort });
    sockets.add(client).add(upstream);
    const requests = new MessageStream();
    const replies = new MessageStream();
    const waiting = new Map<number, RecordedCall>();
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      for (const message of requests.push(chunk)) {
        const { header, body } = readGenericMessage(message);
        const call: RecordedCall = { connection: id, at: Date.now(), seqid: header.seqid, name: header.name, framing: requests.framing ?? '?', args: body };
        calls.push(call);
        waiting.set(header.seqid, call);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      for (const message of replies.push(chunk)) {
        const { header, body } = readGenericMessage(message);
        const call = waiting.get(header.seqid);
        waiting.delete(header.seqid);
        if (!call) continue;
        const fields = body as Record<string, GenericValue>;
        call.answer =
          header.type === MessageType.EXCEPTION ? { kind: 'exception', message: String(fields['1'] ?? '') } : { kind: 'reply', fieldIds: Object.keys(fields) };
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the recorder has no port');
  return {
    port: address.port,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
