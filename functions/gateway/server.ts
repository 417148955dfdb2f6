import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Counter } from 'prom-client';
import type { Config } from '../../shared/config/index.js';
import { renderError, UnavailableError, type ErrorShape } from '../../shared/errors/index.js';
import { EventConsumerSet } from '../../shared/events/index.js';
import { buildRouter, clientAddress, createRequestHandler, Router, type LakeplaneFunction, type MountedRoute } from '../../shared/http/index.js';
import { consumersOf, createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { HTTP_PARSER_MAX_HEADER_BYTES } from '../../shared/schema/index.js';
import type { EdgeDependencies, GatewayEdge } from './edge.js';
import { edgeRefusal } from './edge-refusals.js';
import { gatewayEdges } from './edges.js';
import { acceptHttp1OrH2c } from './protocol-sniffer.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import { UpstreamProxy } from './proxy.js';
import { callerOf, RateLimits } from './rate-limits.js';
import { upstreamsOf } from './upstreams.js';

/** FUNCTION_TARGET of the gateway; the system routes (probes, /metrics, /openapi.json) are its own. */
export const GATEWAY = 'gateway';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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
  const limits = new RateLimits(config.LAKEPLANE_GATEWAY_ANONYMOUS_RATE);
  // The access log line is made of known fields, none secret: it skips the redaction walk, as the pipeline's does.
  const accessLog = platform.logger.child({ component: 'gateway' }, { redact: [] });
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

  const answerError = (res: ServerResponse, err: unknown, shape: ErrorShape, path: string, requestId: string, extra: Record<string, string> = {}) => {
    const rendered = renderError(err, shape, path);
    const body = JSON.stringify(rendered.body);
    res.writeHead(rendered.status, {
      ...rendered.headers,
      ...extra,
      'x-request-id': requestId,
      'content-type': rendered.contentType,
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
    return rendered.status;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const ip = clientAddress(req, config.trustedProxies);
    let functionName: string = GATEWAY;
    let route = 'unmatched';
    let status = 500;
    let principal: string | undefined;
    let ended: string | undefined;
    let failure: unknown;
    const log = () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      platform.metrics.requestDuration.observe({ function: functionName, method, route, status: String(status) }, seconds);
      const line = {
        requestId,
        function: functionName,
        method,
        route,
        path,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        clientAddress: ip,
        ...(principal ? { principal } : {}),
        ...(ended && ended !== 'complete' ? { stream: ended } : {}),
      };
      if (failure) accessLog.warn({ ...line, err: failure }, 'request not forwarded');
      else accessLog.info(line, 'request');
    };

    const edge = edges.find((e) => e.claims(req));
    if (edge) {
      functionName = edge.name;
      res.setHeader('x-request-id', requestId);
      await edge.handle(req, res, { requestId, clientAddress: ip });
      status = res.statusCode;
      return log();
    }

    let mounted: MountedRoute;
    try {
      mounted = table.match(method, path).mounted;
    } catch (err) {
      // 404, 405 or an undecodable path: the answer the embedded server gives, from the same table.
      status = answerError(res, err, 'problem', path, requestId);
      return log();
    }
    if (mounted.functionName === GATEWAY) {
      // Probes, /metrics and the published contracts: served here, through the pipeline every function uses.
      req.headers['x-request-id'] = requestId;
      return serveOwn(req, res);
    }
    functionName = mounted.functionName;
    route = mounted.route.path;
    const shape = mounted.route.errorShape ?? 'problem';

    const refusal = edgeRefusal(mounted, req.headers.authorization);
    if (refusal) {
      status = answerError(res, refusal, shape, path, requestId);
      return log();
    }
    const caller = await callerOf(req, platform.authenticator);
    if (caller) principal = `${caller.kind}:${caller.name}`;
    const decision = limits.decide(caller, ip, Date.now());
    if (decision?.refusal) {
      rateLimited.inc({ policy: caller ? 'principal' : 'anonymous' });
      status = answerError(res, decision.refusal, shape, path, requestId);
      return log();
    }

    const target = upstreams.get(functionName) as URL;
    const outcome = await proxy.forward(req, res, target, functionName, upstreamRequestHeaders(req, requestId, config.trustedProxies), {
      'x-request-id': requestId,
      ...decision?.headers,
    });
    if (outcome.answered) {
      status = outcome.status;
      ended = outcome.ended;
      if (outcome.ended === 'failed') failure = outcome.error;
      return log();
    }
    failure = outcome.cause;
    status = answerError(res, outcome.error, shape, path, requestId, decision?.headers);
    upstreamFailures.inc({ function: functionName, status: String(status) });
    return log();
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
        if (draining && inFlight.size === 0) drained?.();
      });
  });
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const sniffed = new Set<Socket>();
  const listener = listenerFor(http, edges, sniffed);
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
    if (graceMs !== undefined) {
      draining = true;
      http.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
      }
    }
    http.closeAllConnections();
    for (const edge of edges) await edge.close?.();
    // Connections the sniffing listener handed on are unknown to the HTTP server's own bookkeeping (it tracks only
    // what it accepted itself): they end here, or they would hold the listener open.
    for (const socket of sniffed) socket.destroy();
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
 * The listening socket: the HTTP/1.1 server itself, or, when an edge takes cleartext HTTP/2 (gRPC), a TCP server
 * that reads a connection's first bytes and hands it to that edge if they are the HTTP/2 preface, else to the
 * HTTP/1.1 server. Without such an edge nothing is sniffed.
 */
function listenerFor(http: Server, edges: readonly GatewayEdge[], sniffed: Set<Socket>): Server | NetServer {
  const h2 = edges.filter((e) => e.acceptHttp2);
  if (h2.length > 1) throw new Error(`more than one gateway edge takes HTTP/2 connections: ${h2.map((e) => e.name).join(', ')}`);
  const edge = h2[0];
  if (!edge?.acceptHttp2) return http;
  const accept = edge.acceptHttp2.bind(edge);
  return createNetServer({ noDelay: true }, (socket: Socket) => {
    sniffed.add(socket);
    socket.once('close', () => sniffed.delete(socket));
    acceptHttp1OrH2c(socket, (s) => http.emit('connection', s), accept);
  });
}
