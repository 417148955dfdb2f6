import type { IncomingMessage, Server as Http1Server, ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { FunctionServices } from '../../../shared/events/index.js';
import { lakehouseOfHivePath } from '../../../shared/domains/lakehouses/index.js';
import { HiveHttpBridge } from './hive-http-bridge.js';
import { HiveLanes } from './hive-lanes.js';
import { LakehouseAdmission } from './lakehouse-admission.js';
import { acceptHttp1OrH2c } from '../protocol-sniffer.js';
import { SparkConnectProxy } from './spark-connect-proxy.js';

export interface LakehouseEdgeOptions {
  /** How long a connection to a stopped (auto-started) or starting lakehouse waits for it; default LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS. */
  waitMs: number;
  /** HiveServer2 connections kept per credential and lakehouse start. */
  maxLanesPerCredential: number;
}

/**
 * The lakehouse endpoints by name, from outside the cluster, as one port serves them:
 *   - HiveServer2 over HTTP transport: POST /lakehouses/<name>/hive (jdbc:hive2://HOST:PORT/;transportMode=http;httpPath=lakehouses/<name>/hive);
 *   - Spark Connect over h2c: any gRPC call whose metadata names the lakehouse (sc://HOST:PORT/;x-lakeplane-lakehouse=<name>;...).
 * Mount it in a server: `serveHttp` first for each HTTP/1.1 request, and `accept` for each new connection, which
 * hands HTTP/2 connections to `http2` and the rest to the HTTP/1.1 server.
 */
export interface LakehouseEdge {
  readonly name: 'lakehouses';
  /** Whether an HTTP/1.1 request is the edge's: a lakehouse's HiveServer2 httpPath. */
  claims(path: string): boolean;
  /** Answers a claimed request (the gateway's edge contract). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Takes an HTTP/1.1 request if it is the edge's (true: answered here), else leaves it alone (false). */
  serveHttp(req: IncomingMessage, res: ServerResponse): boolean;
  /** A connection that began with the HTTP/2 preface (unread): Spark Connect. */
  acceptHttp2(socket: Socket): void;
  /** Serves every h2c connection: Spark Connect. */
  readonly http2: Http2Server;
  /** A new connection on the shared port: to `http2` when it begins with the HTTP/2 preface, else to `http1`. */
  accept(socket: Socket, http1: Http1Server): void;
  close(): Promise<void>;
}

export function createLakehouseEdge(platform: FunctionServices, options: Partial<LakehouseEdgeOptions> = {}): LakehouseEdge {
  const config = platform.config;
  const log = platform.logger;
  const admission = new LakehouseAdmission(platform, options.waitMs ?? config.LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS * 1000);
  const lanes = new HiveLanes({
    maxLanes: options.maxLanesPerCredential ?? 16,
    idleMs: config.LAKEPLANE_LAKEHOUSE_SESSION_TIMEOUT_SECONDS * 1000,
    connectTimeoutMs: 30_000,
  });
  const hive = new HiveHttpBridge(admission, lanes, Math.max(config.LAKEPLANE_MAX_BODY_BYTES, 16 * 1024 * 1024), log);
  const connect = new SparkConnectProxy(admission, log);
  const http2 = createHttp2Server({ settings: { initialWindowSize: 1 << 20 } });
  http2.on('stream', (stream, headers) => {
    connect.handle(stream, headers).catch((err: unknown) => {
      log.error({ err }, 'lakehouse edge: a Spark Connect call failed');
      if (!stream.closed) stream.close();
    });
  });
  const sessions = new Set<ServerHttp2Session>();
  http2.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  http2.on('sessionError', (err) => log.debug({ err }, 'lakehouse edge: an HTTP/2 connection failed'));
  const lakehouseOf = (req: IncomingMessage) => lakehouseOfHivePath((req.url ?? '/').split('?')[0] ?? '/');
  return {
    name: 'lakehouses',
    claims: (path) => lakehouseOfHivePath(path) !== undefined,
    async handle(req, res) {
      const lakehouse = lakehouseOf(req);
      if (lakehouse) await hive.handle(lakehouse, req, res);
    },
    serveHttp(req, res) {
      const lakehouse = lakehouseOf(req);
      if (!lakehouse) return false;
      void hive.handle(lakehouse, req, res);
      return true;
    },
    acceptHttp2(socket) {
      http2.emit('connection', socket);
    },
    http2,
    accept(socket, http1) {
      acceptHttp1OrH2c(
        socket,
        (s) => http1.emit('connection', s),
        (s) => http2.emit('connection', s),
      );
    },
    async close() {
      lanes.close();
      connect.close();
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => http2.close(() => resolve()));
    },
  };
}
