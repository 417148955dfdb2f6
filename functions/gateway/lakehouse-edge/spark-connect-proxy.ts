import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { LakeplaneError } from '../../../shared/errors/index.js';
import { LAKEHOUSE_METADATA_HEADER } from '../../../shared/domains/lakehouses/index.js';
import type { Logger } from '../../../shared/log/index.js';
import type { HostPort } from '../../../shared/runtime/index.js';
import type { LakehouseAdmission } from './lakehouse-admission.js';

/** The gRPC metadata header a Spark Connect client names its lakehouse with: `sc://HOST:PORT/;x-lakeplane-lakehouse=NAME;...`. */
const LAKEHOUSE_HEADER = LAKEHOUSE_METADATA_HEADER;
const TOKEN_HEADER = 'x-lakeplane-token';
const HOW = `connect with sc://HOST:PORT/;user_id=NAME;${LAKEHOUSE_HEADER}=LAKEHOUSE;${TOKEN_HEADER}=TOKEN`;

const GRPC = {
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The gRPC status a refusal is told with (a Connect client shows its code and message). */
function grpcStatusOf(err: unknown): number {
  if (!(err instanceof LakeplaneError)) return GRPC.INTERNAL;
  const byStatus: Record<number, number> = {
    400: GRPC.INVALID_ARGUMENT,
    401: GRPC.UNAUTHENTICATED,
    403: GRPC.PERMISSION_DENIED,
    404: GRPC.NOT_FOUND,
    409: GRPC.FAILED_PRECONDITION,
    429: GRPC.RESOURCE_EXHAUSTED,
    501: GRPC.UNIMPLEMENTED,
    502: GRPC.UNAVAILABLE,
    503: GRPC.UNAVAILABLE,
  };
  return byStatus[err.status] ?? GRPC.INTERNAL;
}

/** grpc-message is percent-encoded (the gRPC HTTP/2 protocol); encodeURIComponent encodes a superset, which decoders take. */
const grpcMessage = (text: string) => encodeURIComponent(text.slice(0, 2000));

/** Headers that describe one hop's connection, never passed on (HTTP/2 forbids most of them anyway). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings', LAKEHOUSE_HEADER]);

function passedOn(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && !HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
  return out;
}

function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const given = headers[TOKEN_HEADER];
  if (typeof given === 'string' && given.trim()) return given.trim();
  return /^Bearer[ ]+(\S+)$/i.exec(String(headers['authorization'] ?? '').trim())?.[1];
}

/**
 * Spark Connect through the edge: each gRPC call (one HTTP/2 stream) names its lakehouse in a metadata header; the
 * call is admitted (the token, who may connect, the lakehouse serving or auto-started, waiting for it), then carried
 * on one HTTP/2 connection per driver, headers, messages and trailers as they come, both ways, so a long ExecutePlan
 * stream and a large result pass without being held. A refusal is a trailers-only answer with the gRPC status and
 * message the client shows.
 */
export class SparkConnectProxy {
  private readonly upstreams = new Map<string, ClientHttp2Session>();

  constructor(
    private readonly admission: LakehouseAdmission,
    private readonly log: Logger,
  ) {}

  async handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    stream.on('error', () => undefined); // a client that resets its stream: nothing to answer
    const path = String(headers[':path'] ?? '');
    if (headers[':method'] !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/grpc'))
      return this.refuseWith(stream, GRPC.UNIMPLEMENTED, 'this port takes gRPC (Spark Connect) over HTTP/2, and HTTP/1.1');
    if (!path.startsWith('/spark.connect.SparkConnectService/'))
      return this.refuseWith(stream, GRPC.UNIMPLEMENTED, `${path} is not a Spark Connect method: only spark.connect.SparkConnectService is served`);
    const lakehouse = headers[LAKEHOUSE_HEADER];
    if (typeof lakehouse !== 'string' || !lakehouse)
      return this.refuseWith(stream, GRPC.INVALID_ARGUMENT, `name the lakehouse: add ;${LAKEHOUSE_HEADER}=NAME to the sc:// connection string`);
    let admitted;
    try {
      admitted = await this.admission.admit({ lakehouse, token: tokenOf(headers), howToAuthenticate: HOW });
    } catch (err) {
      if (!(err instanceof LakeplaneError)) this.log.error({ err, lakehouse }, 'lakehouse edge: admitting a Spark Connect call failed');
      return this.refuseWith(stream, grpcStatusOf(err), err instanceof LakeplaneError ? err.message : 'the call could not be admitted');
    }
    if (stream.destroyed || stream.closed) return;
    this.forward(stream, headers, path, admitted.endpoints.sparkConnect, lakehouse);
  }

  private forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, path: string, at: HostPort, lakehouse: string): void {
    let up: ClientHttp2Stream;
    try {
      up = this.upstream(at).request({ ...passedOn(headers), ':method': 'POST', ':path': path, ':scheme': 'http', ':authority': `${at.host}:${at.port}` });
    } catch (err) {
      this.admission.forget(lakehouse);
      return this.refuseWith(stream, GRPC.UNAVAILABLE, `lakehouse ${lakehouse}'s Spark Connect could not be reached: ${(err as Error).message}`);
    }
    let trailers: OutgoingHttpHeaders | undefined;
    up.on('response', (h, flags) => {
      if (stream.destroyed || stream.closed) return;
      const out: OutgoingHttpHeaders = { ...passedOn(h), ':status': h[':status'] ?? 200 };
      if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
        // Trailers-only: the status is in these headers.
        stream.respond(out, { endStream: true });
        return;
      }
      stream.respond(out, { waitForTrailers: true });
      up.pipe(stream);
    });
    up.on('trailers', (h) => (trailers = passedOn(h)));
    stream.on('wantTrailers', () => {
      stream.sendTrailers(trailers ?? { 'grpc-status': String(GRPC.INTERNAL), 'grpc-message': grpcMessage('the lakehouse ended the call without a status') });
    });
    up.on('error', (err: Error) => {
      this.admission.forget(lakehouse);
      if (!stream.headersSent) this.refuseWith(stream, GRPC.UNAVAILABLE, `lakehouse ${lakehouse}'s Spark Connect failed: ${err.message}`);
      else if (!stream.closed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
    up.on('close', () => {
      // Reset upstream after the answer began: the client learns the call broke.
      if (stream.headersSent && !stream.closed && up.rstCode !== undefined && up.rstCode !== constants.NGHTTP2_NO_ERROR) stream.close(up.rstCode);
      else if (!stream.headersSent && !stream.closed)
        this.refuseWith(stream, GRPC.UNAVAILABLE, `lakehouse ${lakehouse}'s Spark Connect ended the call without an answer`);
    });
    // The client went away (cancelled the call): so does the call to the driver.
    stream.on('close', () => {
      if (!up.closed) up.close(constants.NGHTTP2_CANCEL);
    });
    stream.pipe(up);
  }

  private upstream(at: HostPort): ClientHttp2Session {
    const key = `${at.host}:${at.port}`;
    const known = this.upstreams.get(key);
    if (known && !known.closed && !known.destroyed) return known;
    const session = connect(`http://${key}`, { settings: { initialWindowSize: 1 << 20 } });
    const drop = () => {
      if (this.upstreams.get(key) === session) this.upstreams.delete(key);
    };
    session.on('error', (err) => {
      this.log.warn({ err, upstream: key }, 'lakehouse edge: a Spark Connect connection failed');
      drop();
    });
    session.on('goaway', drop);
    session.on('close', drop);
    this.upstreams.set(key, session);
    return session;
  }

  private refuseWith(stream: ServerHttp2Stream, status: number, message: string): void {
    if (stream.destroyed || stream.closed) return;
    if (stream.headersSent) {
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': grpcMessage(message) },
      { endStream: true },
    );
  }

  close(): void {
    for (const session of this.upstreams.values()) session.destroy();
    this.upstreams.clear();
  }
}
