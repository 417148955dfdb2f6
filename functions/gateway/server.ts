import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Counter } from 'prom-client';
import type { Config } from '../../shared/config/index.js';
import { renderError, UnavailableError, type ErrorShape } from '../../shared/errors/index.js';
import { EventConsumerSet } from '../../shared/events/index.js';
import {
  buildRouter,
  clientAddress,
  clientAddressFrom,
  createRequestHandler,
  Router,
  type LakeplaneFunction,
  type MountedRoute,
} from '../../shared/http/index.js';
import { consumersOf, createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { HTTP_PARSER_MAX_HEADER_BYTES } from '../../shared/schema/index.js';
import type { TLSSocket } from 'node:tls';
import type { EdgeDependencies, GatewayEdge } from './edge.js';
import { gatewayEdges } from './edges.js';
import { headerLines, upstreamRequestHeaders } from './forwarded-headers.js';
import { ClientConnection, type ClientConnectionOwner } from './http1/client-connection.js';
import type { RequestHead } from './http1/request-head.js';
import { requestBody, responseDownstream } from './node-adapters.js';
import { acceptHttp1OrH2c } from './protocol-sniffer.js';
import { requestHead, UpstreamProxy, type BodySource, type Downstream, type ForwardOutcome } from './proxy.js';
import { RateLimits } from './rate-limits.js';
import { RequestLog } from './request-log.js';
import { GATEWAY, GatewayRouting, shapeOf, type Admission, type RouteMatch } from './routing.js';
import { upstreamsOf } from './upstreams.js';

export { GATEWAY } from './routing.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request as read, before its function is known. */
interface ReadRequest {
  readonly method: string;
  readonly target: string;
  readonly path: string;
  readonly requestId: string;
  readonly started: number;
  readonly clientAddress: string | undefined;
}

const flatHeaders = (headers: Record<string, string>): string[] => Object.entries(headers).flat();

export interface RunningGateway {
  readonly url: string;
  readonly running: RunningPlatform;
  /** As ListeningServer.close: with `graceMs`, requests in flight may finish for that long. */
  close(options?: { graceMs?: number }): Promise<void>;
  /** After close(): the upstream pools and the platform (its database connections, as RunningPlatform.stop). */
  stop(options?: { forceStoreAfterMs?: number }): Promise<void>;
}

/**
 * The embedded server's route table, built by the same function (buildRouter) from the same definitions: which
 * function owns each method and path. Embedded and cluster routing cannot drift, and /openapi.json here is the
 * platform's whole document.
 */
export function gatewayRouteTable(functions: readonly LakeplaneFunction[], running: RunningPlatform): Router {
  const consumers = new Map(functions.map((fn) => [fn.name, new EventConsumerSet(fn.name, consumersOf(fn))]));
  return buildRouter(functions, { platform: running.platform, consumers });
}

/**
 * Starts the gateway: the one entry point of cluster mode. It owns no route of the platform API; it finds each
 * request's function in the route table, refuses at the edge what must stay inside the cluster, limits request rates
 * per caller, and streams the request to the function and its answer back. It authenticates a caller only to know
 * whose rate it is; the function authenticates and authorizes the request itself, unchanged.
 */
export async function startGateway(
  config: Config,
  functions: readonly LakeplaneFunction[],
  options: { edges?: (deps: EdgeDependencies) => GatewayEdge[] } = {},
): Promise<RunningGateway> {
  const upstreams = upstreamsOf(
    config,
    functions.map((f) => f.name),
  );
  const running = await createPlatform(config, []);
  const { platform } = running;
  const table = gatewayRouteTable(functions, running);
  const own = new Router();
  for (const m of table.routes) if (m.functionName === GATEWAY) own.mount(GATEWAY, m.route);
  const serveOwn = createRequestHandler(platform, own);
  const edges = (options.edges ?? gatewayEdges)({ config, platform, logger: platform.logger, upstreams });
  const proxy = new UpstreamProxy();
  const requestLog = new RequestLog(platform);
  const upstreamFailures = new Counter({
    name: 'lakeplane_gateway_upstream_failures_total',
    help: 'Requests the gateway could not hand to their function, by function and answer (502, 503).',
    labelNames: ['function', 'status'],
    registers: [platform.metrics.registry],
  });
  const rateLimited = new Counter({
    name: 'lakeplane_gateway_rate_limited_total',
    help: 'Requests refused with 429, by policy (principal: a token or service account with maxRequestsPerSecond; anonymous: per client address).',
    labelNames: ['policy'],
    registers: [platform.metrics.registry],
  });
  const routing = new GatewayRouting(table, edges, platform.authenticator, new RateLimits(config.LAKEPLANE_GATEWAY_ANONYMOUS_RATE), rateLimited);
  const requestIdOf = (incoming: string | string[] | undefined) => (typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID());

  /** The gateway's own answer (a refusal, 404/405, 502/503) as status, headers (name and value in turn) and body. */
  const errorAnswer = (err: unknown, shape: ErrorShape, path: string, requestId: string, extra: Record<string, string> = {}) => {
    const rendered = renderError(err, shape, path);
    const body = JSON.stringify(rendered.body);
    const headers = flatHeaders({
      ...rendered.headers,
      ...extra,
      'x-request-id': requestId,
      'content-type': rendered.contentType,
      'content-length': String(Buffer.byteLength(body)),
    });
    return { status: rendered.status, headers, body };
  };
  const answerError = (res: ServerResponse, err: unknown, shape: ErrorShape, path: string, requestId: string, extra?: Record<string, string>) => {
    const { status, headers, body } = errorAnswer(err, shape, path, requestId, extra);
    res.writeHead(status, headers);
    res.end(body);
    return status;
  };

  /** What a forwarded request needs of the gateway: its parts, shared by every request. */
  const gatewayParts: GatewayParts = { routing, proxy, upstreams, requestLog, upstreamFailures, errorAnswer };

  /** A request as both readers (Node's server and the gateway's own) know it when it arrives. */
  const readRequest = (method: string, target: string, incomingId: string | string[] | undefined, clientAddress: string | undefined): ReadRequest => {
    const q = target.indexOf('?');
    return { method, target, path: q === -1 ? target : target.slice(0, q), requestId: requestIdOf(incomingId), started: performance.now(), clientAddress };
  };

  /** A 404 or 405 from the route table (the embedded server's answer), written by the reader's own means, and logged. */
  const answerUnrouted = (request: ReadRequest, error: unknown, write: (status: number, headers: string[], body: string) => void): void => {
    const a = errorAnswer(error, 'problem', request.path, request.requestId);
    write(a.status, a.headers, a.body);
    requestLog.record({ ...request, functionName: GATEWAY, route: 'unmatched', status: a.status, principal: undefined, ended: undefined, failure: undefined });
  };

  /**
   * A request for a function, either way it was read: admitted (edge refusals, rate), forwarded, and logged; `done`
   * when its answer is done. `answer` writes one of the gateway's own answers on the client's connection. Callbacks,
   * not promises: a request whose caller is cached is forwarded in the turn it was read.
   */
  function forwardRequest(
    request: ReadRequest,
    mounted: MountedRoute,
    authorization: string | undefined,
    upstreamHeaders: () => string[],
    body: BodySource | undefined,
    chunkedBody: boolean,
    downstream: Downstream,
    answer: (status: number, headers: string[], body: string) => void,
    done: (err?: unknown) => void,
  ): void {
    new ForwardedRequest(gatewayParts, request, mounted, upstreamHeaders, body, chunkedBody, downstream, answer, done).start(authorization);
  }

  /** A request Node's HTTP server read: what the gateway's own reader does not take (http1/request-head.ts). */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientAddress(req, config.trustedProxies);
    const request = readRequest((req.method ?? 'GET').toUpperCase(), req.url ?? '/', req.headers['x-request-id'], ip);
    const { method, path, requestId } = request;
    const writeWhole = (status: number, headers: string[], body: string) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    const match = routing.match(method, path);
    if (match.kind === 'gateway') {
      if (match.edge) {
        res.setHeader('x-request-id', requestId);
        await match.edge.handle(req, res, { requestId, clientAddress: ip });
        return requestLog.record({
          ...request,
          functionName: match.edge.name,
          route: 'unmatched',
          status: res.statusCode,
          principal: undefined,
          ended: undefined,
          failure: undefined,
        });
      }
      // Probes, /metrics and the published contracts: served here, through the pipeline every function uses.
      req.headers['x-request-id'] = requestId;
      return serveOwn(req, res);
    }
    if (match.kind === 'unrouted') return answerUnrouted(request, match.error, writeWhole);
    const length = req.headers['content-length'];
    const chunkedBody = req.headers['transfer-encoding'] !== undefined && length === undefined;
    const hasBody = chunkedBody || (length !== undefined && length !== '0');
    const received = {
      lines: headerLines(req.rawHeaders),
      remoteAddress: req.socket.remoteAddress,
      encrypted: Boolean((req.socket as TLSSocket).encrypted),
    };
    await new Promise<void>((resolve, reject) =>
      forwardRequest(
        request,
        match.mounted,
        req.headers.authorization,
        () => upstreamRequestHeaders(received, requestId, config.trustedProxies),
        hasBody ? requestBody(req) : undefined,
        chunkedBody,
        responseDownstream(res),
        writeWhole,
        (err) => (err === undefined ? resolve() : reject(err)),
      ),
    );
  }

  /** The gateway's own HTTP/1.1 reader: a plain request for a function (or a 404/405), served without Node's server. */
  const fastConnections = new Set<ClientConnection>();
  let fastInFlight = 0;
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const connection of fastConnections) connection.sweep(now);
  }, 5_000);
  sweeper.unref();
  const fastLane: ClientConnectionOwner = {
    maxHeadBytes: HTTP_PARSER_MAX_HEADER_BYTES,
    take(head) {
      const match = routing.match(head.method, head.path);
      if (match.kind === 'gateway') return undefined;
      return (connection) => {
        fastInFlight++;
        serveRead(head, match, connection, (err) => {
          if (err !== undefined) {
            platform.logger.error({ err }, 'unhandled error in the gateway');
            connection.destroy();
          }
          fastInFlight--;
          if (draining && fastInFlight === 0 && inFlight.size === 0) drained?.();
        });
      };
    },
    handOver: (socket) => void http.emit('connection', socket),
    closed: (connection) => void fastConnections.delete(connection),
  };
  function serveRead(head: RequestHead, match: Exclude<RouteMatch, { kind: 'gateway' }>, connection: ClientConnection, done: (err?: unknown) => void): void {
    const remoteAddress = connection.socket.remoteAddress;
    const request = readRequest(head.method, head.target, head.requestId, clientAddressFrom(remoteAddress, head.forwardedFor, config.trustedProxies));
    const { requestId } = request;
    const answer = (status: number, headers: string[], body: string) => connection.answer(status, headers, body, () => {});
    if (match.kind === 'unrouted') {
      answerUnrouted(request, match.error, answer);
      return done();
    }
    forwardRequest(
      request,
      match.mounted,
      head.authorization,
      () => upstreamRequestHeaders({ lines: head.lines, remoteAddress, encrypted: false }, requestId, config.trustedProxies),
      head.contentLength > 0 ? connection : undefined,
      false,
      connection,
      answer,
      done,
    );
  }

  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let drained: (() => void) | undefined;
  const http = createServer({ keepAliveTimeout: 65_000, maxHeaderSize: HTTP_PARSER_MAX_HEADER_BYTES }, (req, res) => {
    if (draining) {
      const e = new UnavailableError('the gateway is shutting down; retry the request');
      e.headers['retry-after'] = '1';
      res.shouldKeepAlive = false;
      answerError(res, e, 'problem', (req.url ?? '/').split('?')[0] ?? '/', randomUUID());
      return;
    }
    inFlight.add(res);
    handle(req, res)
      .catch((err: unknown) => {
        platform.logger.error({ err }, 'unhandled error in the gateway');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      })
      .finally(() => {
        inFlight.delete(res);
        if (draining && inFlight.size === 0 && fastInFlight === 0) drained?.();
      });
  });
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const sockets = new Set<Socket>();
  const listener = listenerFor(edges, sockets, (socket) => {
    if (draining) return void socket.destroy();
    fastConnections.add(new ClientConnection(socket, fastLane));
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = listener.address() as AddressInfo;
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${shownHost}:${address.port}`;
  platform.serving.url ??= url;

  const close = async ({ graceMs }: { graceMs?: number } = {}) => {
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    clearInterval(sweeper);
    if (graceMs !== undefined) {
      draining = true;
      http.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      for (const connection of fastConnections) connection.drain();
      if (inFlight.size > 0 || fastInFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
      }
    }
    http.closeAllConnections();
    for (const edge of edges) await edge.close?.();
    // Connections the listener handed on are unknown to the HTTP server's own bookkeeping (it tracks only what it
    // accepted itself): they end here, or they would hold the listener open.
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url,
    running,
    close,
    async stop(options = {}) {
      await proxy.close();
      await running.stop(options);
    },
  };
}

/**
 * The listening socket: a TCP server whose connections go to the gateway's HTTP/1.1 reader (`toHttp1`) or, when an
 * edge takes cleartext HTTP/2 (gRPC), to that edge if their first bytes are the HTTP/2 preface.
 */
function listenerFor(edges: readonly GatewayEdge[], sockets: Set<Socket>, toHttp1: (socket: Socket) => void): NetServer {
  const h2 = edges.filter((e) => e.acceptHttp2);
  if (h2.length > 1) throw new Error(`more than one gateway edge takes HTTP/2 connections: ${h2.map((e) => e.name).join(', ')}`);
  const edge = h2[0];
  const accept = edge?.acceptHttp2?.bind(edge);
  return createNetServer({ noDelay: true }, (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (accept) acceptHttp1OrH2c(socket, toHttp1, accept);
    else toHttp1(socket);
  });
}

/** The gateway's parts a forwarded request uses. */
interface GatewayParts {
  readonly routing: GatewayRouting;
  readonly proxy: UpstreamProxy;
  readonly upstreams: ReadonlyMap<string, URL>;
  readonly requestLog: RequestLog;
  readonly upstreamFailures: Counter<'function' | 'status'>;
  readonly errorAnswer: (
    err: unknown,
    shape: ErrorShape,
    path: string,
    requestId: string,
    extra?: Record<string, string>,
  ) => { status: number; headers: string[]; body: string };
}

/**
 * One request on its way to a function: admitted, forwarded, logged. An object with methods rather than closures
 * made per request: the gateway's CPU per request is mostly such small costs (bench/RESULTS.md, issue 21).
 */
class ForwardedRequest {
  private admission: Extract<Admission, { kind: 'forward' }> | undefined;

  constructor(
    private readonly parts: GatewayParts,
    private readonly request: ReadRequest,
    private readonly mounted: MountedRoute,
    private readonly upstreamHeaders: () => string[],
    private readonly body: BodySource | undefined,
    private readonly chunkedBody: boolean,
    private readonly downstream: Downstream,
    private readonly answer: (status: number, headers: string[], body: string) => void,
    private readonly done: (err?: unknown) => void,
  ) {}

  start(authorization: string | undefined): void {
    try {
      const admission = this.parts.routing.admit(this.mounted, authorization, this.request.clientAddress);
      if (admission instanceof Promise) admission.then((a) => this.proceed(a)).catch(this.done);
      else this.proceed(admission);
    } catch (err) {
      this.done(err);
    }
  }

  private proceed(admission: Admission): void {
    if (admission.kind === 'refuse') {
      this.log(this.answerWith(admission.error), admission.principal, undefined, undefined);
      return this.done();
    }
    this.admission = admission;
    const { request } = this;
    const functionName = this.mounted.functionName;
    const target = this.parts.upstreams.get(functionName) as URL;
    const extraHeaders = ['x-request-id', request.requestId];
    if (admission.headers) for (const name in admission.headers) extraHeaders.push(name, admission.headers[name] as string);
    this.parts.proxy.forward(
      {
        target,
        functionName,
        method: request.method,
        head: requestHead(request.method, request.target, target.host, this.upstreamHeaders(), this.chunkedBody),
        body: this.body,
        chunkedBody: this.chunkedBody,
        extraHeaders,
      },
      this.downstream,
      this,
    );
  }

  /** The proxy's report: how the forwarding went. */
  settled(outcome: ForwardOutcome): void {
    const admission = this.admission as Extract<Admission, { kind: 'forward' }>;
    if (outcome.answered) {
      this.log(outcome.status, admission.principal, outcome.ended, outcome.ended === 'failed' ? outcome.error : undefined);
    } else {
      const status = this.answerWith(outcome.error, admission.headers);
      this.parts.upstreamFailures.inc({ function: this.mounted.functionName, status: String(status) });
      this.log(status, admission.principal, undefined, outcome.cause);
    }
    this.done();
  }

  private answerWith(err: unknown, extra?: Record<string, string>): number {
    const a = this.parts.errorAnswer(err, shapeOf(this.mounted), this.request.path, this.request.requestId, extra);
    this.body?.discard();
    this.answer(a.status, a.headers, a.body);
    return a.status;
  }

  private log(status: number, principal: string | undefined, ended: string | undefined, failure: unknown): void {
    const { request } = this;
    this.parts.requestLog.record({
      requestId: request.requestId,
      functionName: this.mounted.functionName,
      method: request.method,
      route: this.mounted.route.path,
      path: request.path,
      status,
      started: request.started,
      clientAddress: request.clientAddress,
      principal,
      ended,
      failure,
    });
  }
}
