import { BadGatewayError, UnavailableError, type LakeplaneError } from '../../shared/errors/index.js';
import { ChunkedDecoder } from './http1/chunked-decoder.js';
import { ConnectionPool, type ConnectionUser, type UpstreamConnection } from './http1/connection-pool.js';
import { linesWithout, MAX_RESPONSE_HEAD_BYTES, parseResponseHead, UpstreamProtocolError, type ResponseHead } from './http1/response-head.js';

/** Failures that mean nothing reached the function: it is down, not yet up, or not there. Retrying later may work. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Methods a request may be sent again for, when a kept-alive connection closed before any answer (RFC 9110 9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/**
 * An answer may take long to start (a SQL statement waiting for its result), and a stream may pause for long (a
 * followed driver log): neither is a failure of the function. Past this without a status line, the client gets 502.
 */
const HEAD_TIMEOUT_MS = 600_000;
const POOL = { idleMs: 30_000, connectTimeoutMs: 5_000, maxIdle: 256, headTimeoutMs: HEAD_TIMEOUT_MS };
const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');
const END_OF_HEAD = Buffer.from('\r\n\r\n');

export type ForwardOutcome =
  | { readonly answered: true; readonly status: number; readonly ended: 'complete' | 'client-gone' | 'failed'; readonly error?: unknown }
  /** Nothing was sent to the client: the caller answers with `error`. */
  | { readonly answered: false; readonly error: LakeplaneError; readonly cause: unknown };

/** Where an answer goes: Node's ServerResponse, or a connection the gateway reads itself (http1/client-connection.ts). */
export interface Downstream {
  /**
   * Takes the status and headers, sent with the first piece of the body: the function's header lines ("Name:
   * value"), then the gateway's own (`ours`, name and value in turn). `streamed`: the function framed its body by
   * chunks or by closing, so its length is unknown here. Throws when a header cannot be sent.
   */
  writeHead(status: number, lines: readonly string[], ours: readonly string[], streamed: boolean): void;
  /** False: the client's socket is full; wait for onceDrain. */
  write(piece: Buffer): boolean;
  onceDrain(resume: () => void): void;
  offDrain(resume: () => void): void;
  /** The answer is whole; `finished` once it is handed to the socket. */
  end(last: Buffer | undefined, finished: () => void): void;
  /** Cuts the client's connection: the answer cannot be finished. */
  destroy(): void;
  /** `gone` when the client leaves before the answer is written out; returns the way to stop watching. */
  watchGone(gone: () => void): () => void;
}

/** A request body as the client sends it. */
export interface BodySource {
  read(data: (chunk: Buffer) => void, end: () => void): void;
  pause(): void;
  resume(): void;
  /** The exchange wants no more of it: the rest is read and dropped, so the client's connection can go on. */
  discard(): void;
}

/** Who forwards a request, told how it went. */
export interface Requester {
  settled(outcome: ForwardOutcome): void;
}

/** What is sent to the function. */
export interface UpstreamRequest {
  readonly target: URL;
  readonly functionName: string;
  readonly method: string;
  /** The request line and headers (requestHead). */
  readonly head: string;
  /** undefined: the request has no body. */
  readonly body: BodySource | undefined;
  /** The body goes in chunks (its length is unknown). */
  readonly chunkedBody: boolean;
  /** The gateway's own response headers (request id, rate limits), name and value in turn; they replace the function's. */
  readonly extraHeaders: string[];
}

/**
 * Forwards requests to the functions over HTTP/1.1 keep-alive connections (a pool per function) and streams each
 * answer back as it comes, both ways: the upstream body is written to the client piece by piece, pausing the
 * upstream while the client's socket is full, so a large result or a followed log never sits in memory; a request
 * body goes to the function as the client sends it.
 *
 * No client library: one write per request, the answer's head parsed once and handed on as it is. The functions
 * are Node servers inside the platform; what they send is still checked (http1/response-head.ts), and a malformed
 * answer is a 502, never passed on in pieces.
 */
export class UpstreamProxy {
  private readonly pools = new Map<string, ConnectionPool>();

  /** Forwards one request; `requester.settled` is told how it went, once. */
  forward(request: UpstreamRequest, downstream: Downstream, requester: Requester): void {
    let pool = this.pools.get(request.target.origin);
    if (!pool) {
      pool = new ConnectionPool(request.target, POOL);
      this.pools.set(request.target.origin, pool);
    }
    new Exchange(pool, request, downstream, requester).start();
  }

  async close(): Promise<void> {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}

/** The request line and headers as one string; the caller's parser has refused any value with CR, LF or NUL. */
export function requestHead(method: string, path: string, host: string, lines: readonly string[], chunked: boolean): string {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const line of lines) head += `${line}\r\n`;
  if (chunked) head += 'transfer-encoding: chunked\r\n';
  return `${head}\r\n`;
}

/** One request's way to a function and back. */
class Exchange implements ConnectionUser {
  private conn: UpstreamConnection | undefined;
  private head: ResponseHead | undefined;
  private partialHead: Buffer | undefined;
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  private status = 0;
  private answerStarted = false;
  private requestSent = false;
  private retried = false;
  private timedOut = false;
  private clientGone = false;
  private ending = false;
  private upstreamPaused = false;
  private settled = false;
  private unwatch: (() => void) | undefined;

  private readonly onClientGone = () => {
    this.clientGone = true;
    // The whole answer came, but the client left before it was written out; else the upstream is dropped too.
    if (this.ending) return this.done({ answered: true, status: this.status, ended: 'client-gone' });
    this.dropUpstream();
    this.done({ answered: true, status: this.status || 499, ended: 'client-gone' });
  };
  private bodyData(chunk: Buffer): void {
    const socket = (this.conn as UpstreamConnection).socket;
    let more: boolean;
    if (this.request.chunkedBody) {
      // All three are written whatever write() says: false asks to wait before the next chunk, not to drop this one.
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      more = socket.write(CRLF);
      socket.uncork();
    } else {
      more = socket.write(chunk);
    }
    if (!more) this.request.body?.pause();
  }

  private bodyEnd(): void {
    if (this.request.chunkedBody) (this.conn as UpstreamConnection).socket.write(LAST_CHUNK);
    this.requestSent = true;
  }

  /** Made when first needed: most answers never fill the client's socket. */
  private resumeUpstream: (() => void) | undefined;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly request: UpstreamRequest,
    private readonly downstream: Downstream,
    private readonly requester: Requester,
  ) {}

  start(): void {
    this.unwatch = this.downstream.watchGone(this.onClientGone);
    const idle = this.pool.takeIdle();
    if (idle) this.send(idle);
    else this.openAndSend();
  }

  private openAndSend(): void {
    this.pool.open((err, conn) => {
      if (err || !conn) return this.unanswered(err);
      // The client left while the connection was made: it is unused, so the pool keeps it.
      if (this.settled) return conn.release(true);
      this.send(conn);
    });
  }

  private send(conn: UpstreamConnection): void {
    this.conn = conn;
    conn.user = this;
    conn.waitingSince = Date.now();
    conn.socket.write(this.request.head, 'latin1');
    if (!this.request.body) {
      this.requestSent = true;
      return;
    }
    this.request.body.read(
      (chunk) => this.bodyData(chunk),
      () => this.bodyEnd(),
    );
  }

  onDrain(): void {
    if (!this.requestSent) this.request.body?.resume();
  }

  onTimeout(): void {
    this.timedOut = true;
    const err = Object.assign(new Error(`no answer within ${HEAD_TIMEOUT_MS / 1000} s`), { code: 'LAKEPLANE_UPSTREAM_HEAD_TIMEOUT' });
    this.conn?.socket.destroy(err);
  }

  onData(data: Buffer): void {
    this.answerStarted = true;
    if (this.head) return this.readBody(data, 0);
    const buf = this.partialHead ? Buffer.concat([this.partialHead, data]) : data;
    const from = this.partialHead ? Math.max(0, this.partialHead.length - 3) : 0;
    const end = buf.indexOf(END_OF_HEAD, from);
    if (end === -1) {
      if (buf.length > MAX_RESPONSE_HEAD_BYTES) return this.protocolFailure(new UpstreamProtocolError('the answer has an overlong head'));
      this.partialHead = buf;
      return;
    }
    this.partialHead = undefined;
    let head: ResponseHead;
    try {
      head = parseResponseHead(buf.toString('latin1', 0, end), this.request.method);
    } catch (err) {
      return this.protocolFailure(err as Error);
    }
    if (head.status < 200) {
      // 1xx (e.g. 103 Early Hints) are not passed on; the final answer follows. 101 answers no request of ours.
      if (head.status === 101) return this.protocolFailure(new UpstreamProtocolError('the function switched protocols unasked'));
      if (buf.length > end + 4) this.onData(buf.subarray(end + 4));
      return;
    }
    (this.conn as UpstreamConnection).waitingSince = 0;
    const extra = this.request.extraHeaders;
    try {
      this.downstream.writeHead(head.status, extra.length > 0 ? linesWithout(head.lines, this.ourNames()) : head.lines, extra, head.framing !== 'length');
    } catch (err) {
      return this.protocolFailure(new UpstreamProtocolError(`the answer has a header that cannot be sent on: ${(err as Error).message}`));
    }
    this.head = head;
    this.status = head.status;
    this.remaining = head.contentLength;
    if (head.framing === 'chunked') this.decoder = new ChunkedDecoder();
    this.readBody(buf, end + 4);
  }

  private readBody(buf: Buffer, start: number): void {
    const head = this.head as ResponseHead;
    if (head.framing === 'length') {
      const available = buf.length - start;
      if (available < this.remaining) {
        this.remaining -= available;
        if (available > 0) this.write(start === 0 ? buf : buf.subarray(start));
        return;
      }
      const last = buf.subarray(start, start + this.remaining);
      const trailing = available > this.remaining;
      this.remaining = 0;
      return this.complete(last, trailing);
    }
    if (head.framing === 'close') {
      if (buf.length > start) this.write(start === 0 ? buf : buf.subarray(start));
      return;
    }
    let end: number;
    try {
      end = (this.decoder as ChunkedDecoder).push(buf, start, (piece) => this.write(piece));
    } catch (err) {
      return this.protocolFailure(err as Error);
    }
    if (end !== -1) this.complete(undefined, end < buf.length);
  }

  /** The names of the gateway's own response headers: the function's of the same name give way. */
  private ourNames(): string[] {
    const names: string[] = [];
    for (let i = 0; i < this.request.extraHeaders.length; i += 2) names.push(this.request.extraHeaders[i] as string);
    return names;
  }

  private write(piece: Buffer): void {
    if (this.downstream.write(piece) || this.upstreamPaused) return;
    this.upstreamPaused = true;
    this.conn?.socket.pause();
    this.resumeUpstream ??= () => {
      this.upstreamPaused = false;
      this.conn?.socket.resume();
    };
    this.downstream.onceDrain(this.resumeUpstream);
  }

  /** The answer is whole: the connection goes back to the pool if it can carry another request, the client gets the end. */
  private complete(last: Buffer | undefined, trailingBytes: boolean): void {
    const conn = this.conn;
    this.conn = undefined;
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      if (this.resumeUpstream) this.downstream.offDrain(this.resumeUpstream);
      conn?.socket.resume();
    }
    // An answer that came before the whole request body (e.g. 413) leaves the function's side out of step.
    const reusable = (this.head as ResponseHead).reusable && !trailingBytes && this.requestSent;
    this.stopRequestBody();
    conn?.release(reusable);
    this.ending = true;
    this.downstream.end(last && last.length > 0 ? last : undefined, () => this.done({ answered: true, status: this.status, ended: 'complete' }));
  }

  onClose(error: Error | undefined): void {
    const conn = this.conn;
    this.conn = undefined;
    if (this.settled || this.ending) return;
    if (this.head) {
      // Until-close framing ends here; any other answer was cut short.
      if (this.head.framing === 'close' && !error) return this.complete(undefined, false);
      return this.failedMidAnswer(error ?? new Error('the function closed the connection in the middle of its answer'));
    }
    const retry = !this.retried && !this.timedOut && !this.answerStarted && !this.request.body && conn?.reused === true && IDEMPOTENT.has(this.request.method);
    if (retry) {
      // A kept-alive connection the function closed as we sent on it: the request is sent again, once, on a new one.
      this.retried = true;
      return this.openAndSend();
    }
    this.unanswered(error ?? Object.assign(new Error('the function closed the connection without answering'), { code: 'ECONNRESET' }));
  }

  private protocolFailure(err: Error): void {
    this.dropUpstream();
    if (this.head) this.failedMidAnswer(err);
    else this.unanswered(err);
  }

  private failedMidAnswer(err: Error): void {
    this.dropUpstream();
    // Mid-stream: the status is out, so the only honest signal left is a cut connection.
    this.downstream.destroy();
    this.done({ answered: true, status: this.status, ended: this.clientGone ? 'client-gone' : 'failed', error: err });
  }

  private unanswered(err: Error | undefined): void {
    this.stopRequestBody();
    if (this.clientGone) return this.done({ answered: true, status: 499, ended: 'client-gone' });
    this.done({ answered: false, error: upstreamError(this.request.functionName, err), cause: err });
  }

  /** The connection is ended without being read further; nothing of it reaches this exchange again. */
  private dropUpstream(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.stopRequestBody();
    if (conn) {
      conn.user = undefined;
      conn.socket.destroy();
    }
  }

  private stopRequestBody(): void {
    if (this.request.body && !this.requestSent) {
      this.requestSent = true;
      this.request.body.discard();
    }
  }

  private done(outcome: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.unwatch?.();
    this.requester.settled(outcome);
  }
}

function upstreamError(functionName: string, err: unknown): LakeplaneError {
  if (err instanceof UpstreamProtocolError) {
    return new BadGatewayError(`the ${functionName} function's answer could not be read: ${err.message}`, { cause: err });
  }
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'LAKEPLANE_UPSTREAM_HEAD_TIMEOUT') {
    return new BadGatewayError(`the ${functionName} function did not begin to answer within ${HEAD_TIMEOUT_MS / 1000} s`, { cause: err });
  }
  if (code !== undefined && UNREACHABLE.has(code)) {
    const e = new UnavailableError(`the ${functionName} function is not reachable at the moment; retry shortly`, { cause: err });
    e.headers['retry-after'] = '1';
    return e;
  }
  return new BadGatewayError(
    `the ${functionName} function did not answer the request (${code ?? (err as Error | undefined)?.message ?? 'connection failed'})`,
    {
      cause: err,
    },
  );
}
