import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadRequestError, ForbiddenError, HeaderFieldsTooLargeError, renderError, UnavailableError, type ErrorShape } from '../errors/index.js';
import { HTTP_PARSER_MAX_HEADER_BYTES } from '../schema/index.js';
import { parseCloudEvent, type ConsumptionDependencies, type EventConsumerSet, type EventType, type FunctionServices } from '../events/index.js';
import { IngestAuthentication } from './ingest-authentication.js';
import { ingestPath, type LakeplaneFunction } from './function.js';
import { createRequestHandler, type RequestPipelineDependencies } from './pipeline.js';
import type { Authorizer } from '../policy/index.js';
import { json, type RouteDefinition } from './route.js';
import { operation } from './operation.js';
import { portError } from './port-check.js';
import { Router } from './router.js';
import { systemRoutes, type SystemRouteDependencies } from './system-routes.js';

/**
 * What serving functions needs of a running process: what the pipeline and the consumers use, the services they hand
 * on, where the process says it serves, and each function's consumers. createPlatform()'s RunningPlatform is one.
 */
export interface ServedProcess {
  readonly platform: RequestPipelineDependencies &
    ConsumptionDependencies &
    SystemRouteDependencies &
    FunctionServices & { readonly authorizer: Authorizer; readonly serving: { url: string | undefined } };
  readonly consumers: ReadonlyMap<string, EventConsumerSet>;
}

function ingestRoute(fn: LakeplaneFunction, running: ServedProcess, types: readonly string[], senders: IngestAuthentication): RouteDefinition {
  return operation({
    method: 'POST',
    path: ingestPath(fn.name),
    operationId: `${fn.name}.ingestCloudEvent`,
    summary: `Deliver a CloudEvent (binary or structured mode) to ${fn.name}. Consumes: ${types.join(', ')}. Needs a Knative Eventing sender identity token, or a platform credential allowed events:ingest.`,
    tags: ['events'],
    // Authenticated in the handler: a Broker's sender token is not a platform credential. A platform credential
    // must hold the events scope there: delivering events is the event plumbing's business, whichever function consumes them.
    authorization: {
      public:
        'a Knative Broker delivers with its own sender identity token, which IngestAuthentication verifies (or a platform credential allowed events:ingest)',
    },
    // Each event is consumed in its own transaction with its consumed-event key (shared/events).
    mutates: 'in-steps',
    bodyKind: 'raw',
    audit: false,
    responses: { 200: { description: 'Handled, or a duplicate of an event already handled' } },
    handler: async (ctx) => {
      await senders.admit(ctx, fn.name);
      const event = parseCloudEvent(ctx.headers, ctx.body as unknown as Buffer);
      const consumers = running.consumers.get(fn.name);
      if (!consumers) throw new ForbiddenError(`${fn.name} consumes no events`);
      const outcome = await consumers.consume(running.platform, event);
      ctx.markEventsPublished();
      return json(200, { id: event.id, source: event.source, outcome });
    },
  });
}

/** Mounts the system routes, every served function's routes, and an ingest route per event-consuming function. */
export function buildRouter(functions: readonly LakeplaneFunction[], running: ServedProcess): Router {
  const router = new Router();
  const events = new Map<string, EventType>();
  for (const fn of functions) for (const e of fn.publishes) events.set(e.type, e);
  const systemOwner = running.platform.config.FUNCTION_TARGET ?? 'platform';
  const senders = new IngestAuthentication(running.platform.config, running.platform);
  for (const r of systemRoutes(() => router.routes, [...events.values()], running.platform)) router.mount(systemOwner, r);
  for (const fn of functions) {
    for (const r of fn.routes) router.mount(fn.name, r);
    const consumers = running.consumers.get(fn.name);
    if (consumers) router.mount(fn.name, ingestRoute(fn, running, consumers.types, senders));
  }
  return router;
}

/**
 * A request Node's parser refused before any route saw it: answered in problem+json like every other error (Node's
 * own answer is a bare status line), and the connection closed, since nothing after the bad bytes can be trusted.
 */
function answerUnparsable(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const refused =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new HeaderFieldsTooLargeError(`the request line and headers exceed ${HTTP_PARSER_MAX_HEADER_BYTES} bytes together`)
      : err.code === 'HPE_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? undefined
        : new BadRequestError('the request is not valid HTTP/1.1');
  if (!refused) {
    socket.end(`HTTP/1.1 408 ${STATUS_CODES[408]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    return;
  }
  const rendered = renderError(refused, 'problem');
  const body = JSON.stringify(rendered.body);
  socket.end(
    `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status]}\r\ncontent-type: ${rendered.contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export interface ListeningServer {
  server: Server;
  url: string;
  /**
   * Without a grace: ends every connection now (tests). With `graceMs`: stops accepting, lets requests in flight
   * finish for up to that long, then answers those still running 503 and closes their connections.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Resolves when `promise` does or after `ms`, whichever comes first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Something served on the same port beside the functions (the lakehouse edge: HiveServer2 over HTTP, Spark Connect
 * over h2c): it answers the HTTP/1.1 requests it claims before the router, and is handed every new connection, to
 * give to the HTTP/1.1 server or to serve itself.
 */
export interface PortSharer {
  serveHttp(req: IncomingMessage, res: ServerResponse): boolean;
  accept(socket: Socket, http1: Server): void;
  close(): Promise<void>;
}

export async function listen(
  functions: readonly LakeplaneFunction[],
  running: ServedProcess,
  port: number,
  host: string,
  beside?: PortSharer,
): Promise<ListeningServer> {
  const router = buildRouter(functions, running);
  const handler = createRequestHandler(running.platform, router);
  const log = running.platform.logger;
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let drained: (() => void) | undefined;

  /**
   * Answers a request the server will not run (or not finish): 503 with Retry-After in its route's error shape, and
   * Connection: close, so the client retries elsewhere instead of on this connection.
   */
  const refuse = (req: IncomingMessage, res: ServerResponse, detail: string) => {
    if (res.headersSent || res.destroyed) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let shape: ErrorShape = 'problem';
    try {
      shape = router.match((req.method ?? 'GET').toUpperCase(), path).mounted.route.errorShape ?? 'problem';
    } catch {
      // No such route: problem+json, as the pipeline would answer.
    }
    const error = new UnavailableError(detail);
    error.headers['retry-after'] = '1';
    const rendered = renderError(error, shape, path);
    const body = JSON.stringify(rendered.body);
    res.writeHead(rendered.status, {
      ...rendered.headers,
      'content-type': rendered.contentType,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
    res.end(body);
  };

  // The parser takes more than the pipeline serves (MAX_URL_LENGTH, MAX_HEADER_BYTES), so a long URL or large headers
  // reach the pipeline and are answered there in the route's error shape; only past this is clientError the answer.
  const server = createServer({ keepAliveTimeout: 65_000, maxHeaderSize: HTTP_PARSER_MAX_HEADER_BYTES }, (req, res) => {
    // Only a connection opened before the drain began can still bring a request; it is not taken on.
    if (draining) return refuse(req, res, 'the server is shutting down; retry the request');
    if (beside?.serveHttp(req, res)) return;
    inFlight.add(res);
    handler(req, res)
      .catch((err: unknown) => {
        log.error({ err }, 'unhandled error in request pipeline');
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => {
        inFlight.delete(res);
        if (draining && inFlight.size === 0) drained?.();
      });
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerUnparsable(err, socket));
  // With something beside the functions, a plain TCP server takes the connections and it decides where each goes.
  const listener = beside ? createNetServer((socket) => beside.accept(socket, server)) : server;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (err) => reject(portError(err, port, host)));
    listener.listen(port, host, () => resolve());
  });
  // The HTTP/1.1 server tracks its connections (timeouts, closeAllConnections) from its 'listening' on.
  if (beside) server.emit('listening');
  const address = listener.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${address.port}`;
  running.platform.serving.url ??= url;
  return {
    server,
    url,
    close: async ({ graceMs } = {}) => {
      // Stops accepting connections; resolves once every connection has ended.
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      if (beside) server.close();
      if (graceMs !== undefined) {
        draining = true;
        // Keep-alive connections waiting for a next request would hold the server open until their timeout.
        server.closeIdleConnections();
        // A request finishing within the grace answers with Connection: close, so no further request comes on it.
        for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
        if (inFlight.size > 0) await within(new Promise<void>((resolve) => (drained = resolve)), graceMs);
        const late = [...inFlight];
        const refused = late.filter((res) => !res.headersSent && !res.destroyed);
        const sent = Promise.all(refused.map((res) => new Promise<void>((resolve) => res.once('close', () => resolve()))));
        for (const res of refused) refuse(res.req, res, 'the server is shutting down and this request did not finish in time; retry it');
        if (late.length > 0)
          log.warn(
            { graceMs, answered503: refused.length, streamsCut: late.length - refused.length },
            'shutdown: requests still running after the grace period were cut off',
          );
        // The 503s leave before their connections are destroyed (a destroyed socket may drop what it had queued).
        await within(sent, 1_000);
      }
      server.closeAllConnections();
      await beside?.close();
      await closed;
    },
  };
}
