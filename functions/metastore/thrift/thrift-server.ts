import { createServer, type Server, type Socket } from 'node:net';
import { ThriftProtocolError } from './binary-protocol.js';
import { framed, MessageStream } from './message-stream.js';
import { answerCall, type ServiceImplementation } from './service.js';

export interface ThriftServerOptions {
  /** The service a new connection talks to: per connection, as a connection carries who its peer is. */
  readonly serviceFor: (socket: Socket) => ServiceImplementation;
  /** A connection that broke the protocol, or failed otherwise: logged by the caller, then closed. */
  readonly onConnectionError: (err: unknown, socket: Socket) => void;
  /** A connection with no call for this long is closed (clients reconnect; Hive's own default is none). */
  readonly idleTimeoutMs: number;
}

/**
 * Thrift over TCP (TSocket, framed or not): calls on one connection are answered one after the other, in order, as
 * the synchronous clients (libthrift's, Trino's) expect; connections are independent.
 */
export function createThriftServer(options: ThriftServerOptions): Server & { closeAll(): void } {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
    let service: ServiceImplementation;
    try {
      service = options.serviceFor(socket);
    } catch (err) {
      options.onConnectionError(err, socket);
      socket.destroy();
      return;
    }
    const stream = new MessageStream();
    const queue: Buffer[] = [];
    let busy = false;
    const drain = async () => {
      busy = true;
      try {
        for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
          const answer = await answerCall(service, message);
          if (socket.destroyed) return;
          if (answer) for (const piece of framed(answer, stream.framing)) socket.write(piece);
        }
      } catch (err) {
        options.onConnectionError(err, socket);
        socket.destroy();
      } finally {
        busy = false;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = stream.push(chunk);
      } catch (err) {
        options.onConnectionError(err instanceof ThriftProtocolError ? err : new ThriftProtocolError(String(err)), socket);
        socket.destroy();
        return;
      }
      queue.push(...messages);
      if (!busy && queue.length > 0) void drain();
    });
    socket.on('error', () => socket.destroy());
  });
  return Object.assign(server, {
    closeAll() {
      for (const s of sockets) s.destroy();
    },
  });
}
