import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { BodySource, Downstream } from '../proxy.js';
import { parseRequestHead, type RequestHead } from './request-head.js';

/** An idle keep-alive connection is closed after this long (Node's server in the functions keeps 65 s too). */
const KEEP_ALIVE_MS = 65_000;
/** A request head must be whole within this long of its first byte (Node's headersTimeout). */
const HEAD_WITHIN_MS = 60_000;
/** Requests a client sends ahead while one is answered (pipelining) are read up to this much, then the socket waits. */
const PIPELINE_BYTES = 64 * 1024;
const CRLF = '\r\n';
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/** What the gateway does with the requests of a connection it reads itself. */
export interface ClientConnectionOwner {
  /** Node's limit on a request head; a longer one goes to Node's server, which answers 431. */
  readonly maxHeadBytes: number;
  /**
   * Whether this lane serves the request: a function to call with the connection, or undefined when Node's server
   * is to have the connection from this request on (the gateway's own routes, an edge's paths).
   */
  take(head: RequestHead): ((connection: ClientConnection) => void) | undefined;
  /** The connection, with its unread bytes put back, for Node's HTTP server. */
  handOver(socket: Socket): void;
  /** The connection ended. */
  closed(connection: ClientConnection): void;
}

/**
 * One client connection the gateway reads itself: request heads parsed by http1/request-head.ts, each answer
 * written by the proxy (it is the request's Downstream and BodySource), keep-alive and pipelining in order. Anything
 * this reader does not take, and every later request of that connection, is Node's HTTP server's.
 *
 * Why not Node's server for all: under load it cost the gateway about 120 µs of CPU a request beyond the bytes it
 * moves, on a machine where the functions' own requests take 150-300 µs, and the issue's targets leave the gateway
 * less than that in all (bench/RESULTS.md, issue 21).
 */
export class ClientConnection implements Downstream, BodySource {
  private state: 'head' | 'busy' | 'closed' = 'head';
  /** Bytes read and not yet taken: the start of the next request head. */
  private unread: Buffer | undefined;
  private headStartedAt = 0;
  private idleSince = Date.now();
  private method = 'GET';
  private bodyRemaining = 0;
  private bodyQueue: Buffer[] = [];
  private bodyData: ((chunk: Buffer) => void) | undefined;
  private bodyEnd: (() => void) | undefined;
  private discarding = false;
  private answered = false;
  private pendingHead: string | undefined;
  private chunkedOut = false;
  private closeAfterAnswer = false;
  private draining = false;
  private gone: (() => void) | undefined;

  constructor(
    readonly socket: Socket,
    private readonly owner: ClientConnectionOwner,
  ) {
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /**
   * Ends the connection if it has idled past the keep-alive time, or a request head has taken too long to arrive.
   * Called by the owner's one timer for all connections: a socket timeout armed and cleared around every request
   * cost more than the check.
   */
  sweep(now: number): void {
    if (this.state !== 'head') return;
    if (this.unread ? now - this.headStartedAt > HEAD_WITHIN_MS : now - this.idleSince > KEEP_ALIVE_MS) this.socket.destroy();
  }

  get busy(): boolean {
    return this.state === 'busy';
  }

  /** The gateway is stopping: an idle connection ends now, a busy one after its answer (which says Connection: close). */
  drain(): void {
    this.draining = true;
    if (this.state === 'head' && !this.unread) this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer) => {
    if (this.state === 'closed') return;
    if (this.state === 'busy') {
      const rest = this.bodyRemaining > 0 ? this.takeBody(chunk) : chunk;
      if (rest.length > 0) {
        this.unread = this.unread ? Buffer.concat([this.unread, rest]) : rest;
        if (this.unread.length > PIPELINE_BYTES) this.socket.pause();
      }
      return;
    }
    if (!this.unread) this.headStartedAt = Date.now();
    else if (Date.now() - this.headStartedAt > HEAD_WITHIN_MS) return void this.socket.destroy();
    this.unread = this.unread ? Buffer.concat([this.unread, chunk]) : chunk;
    this.nextRequest();
  };

  private readonly onEnd = () => {
    // The client half-closed: as Node's server does by default, a request being answered is abandoned.
    if (this.state === 'busy') this.gone?.();
    this.socket.destroy();
  };

  private readonly onError = () => {
    this.socket.destroy();
  };

  private readonly onClose = () => {
    const wasBusy = this.state === 'busy';
    this.state = 'closed';
    if (wasBusy) this.gone?.();
    this.owner.closed(this);
  };

  /** Parses the next request head from what was read, and hands the request on. */
  private nextRequest(): void {
    const buf = this.unread;
    if (!buf || this.state !== 'head') return;
    const end = buf.indexOf(END_OF_HEAD);
    if (end === -1) {
      if (buf.length > this.owner.maxHeadBytes) this.handOver();
      return;
    }
    const head = end + 4 > this.owner.maxHeadBytes ? undefined : parseRequestHead(buf.toString('latin1', 0, end));
    const serve = head && this.owner.take(head);
    if (!head || !serve) return this.handOver();
    this.state = 'busy';
    this.method = head.method;
    this.answered = false;
    this.pendingHead = undefined;
    this.chunkedOut = false;
    this.closeAfterAnswer = head.close || this.draining;
    this.bodyRemaining = head.contentLength;
    this.bodyQueue = [];
    this.bodyData = undefined;
    this.bodyEnd = undefined;
    this.discarding = false;
    this.gone = undefined;
    let rest = buf.subarray(end + 4);
    if (this.bodyRemaining > 0) rest = this.takeBody(rest);
    this.unread = rest.length > 0 ? rest : undefined;
    serve(this);
  }

  /** Takes the current request's body bytes from `chunk`; returns what follows them. */
  private takeBody(chunk: Buffer): Buffer {
    const n = Math.min(this.bodyRemaining, chunk.length);
    if (n === 0) return chunk;
    this.bodyRemaining -= n;
    const piece = chunk.subarray(0, n);
    if (!this.discarding) {
      if (this.bodyData) this.bodyData(piece);
      else this.bodyQueue.push(piece);
      if (this.bodyRemaining === 0) this.bodyEnd?.();
    }
    if (this.bodyRemaining === 0 && this.answered) this.afterAnswer();
    return chunk.subarray(n);
  }

  /** Node's server reads this connection from here on: everything unread goes back first. */
  private handOver(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    this.socket.pause();
    if (this.unread) this.socket.unshift(this.unread);
    this.unread = undefined;
    this.state = 'closed';
    this.owner.closed(this);
    this.owner.handOver(this.socket);
    this.socket.resume();
  }

  /** The answer is written: the next request, once this one's body has been read to its end. */
  private afterAnswer(): void {
    if (this.state !== 'busy' || this.bodyRemaining > 0) return;
    if (this.closeAfterAnswer || this.draining) {
      this.state = 'closed';
      this.socket.end();
      return;
    }
    this.state = 'head';
    this.idleSince = Date.now();
    if (this.socket.isPaused()) this.socket.resume();
    if (this.unread) this.headStartedAt = Date.now();
    this.nextRequest();
  }

  // Downstream: the answer to the current request.

  writeHead(status: number, lines: readonly string[], ours: readonly string[], streamed: boolean): void {
    const bodyAllowed = this.method !== 'HEAD' && status !== 204 && status !== 304;
    this.chunkedOut = streamed && bodyAllowed;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    for (const line of lines) head += `${line}\r\n`;
    for (let i = 0; i < ours.length; i += 2) head += `${ours[i] as string}: ${ours[i + 1] as string}\r\n`;
    if (this.chunkedOut) head += 'transfer-encoding: chunked\r\n';
    if (this.closeAfterAnswer || this.draining) {
      this.closeAfterAnswer = true;
      head += 'connection: close\r\n';
    }
    this.pendingHead = `${head}\r\n`;
  }

  write(piece: Buffer): boolean {
    return this.socket.write(this.framed(piece, false));
  }

  onceDrain(resume: () => void): void {
    this.socket.once('drain', resume);
  }

  offDrain(resume: () => void): void {
    this.socket.off('drain', resume);
  }

  end(last: Buffer | undefined, finished: () => void): void {
    const { socket } = this;
    if (this.state !== 'busy' || socket.destroyed) return finished();
    this.answered = true;
    this.gone = undefined;
    socket.write(this.framed(last, true), () => finished());
    this.afterAnswer();
  }

  /**
   * The bytes to write for a piece of the body (and the head, if it has not gone yet): one buffer, so one write(2)
   * without the stream's writev bookkeeping. Chunked framing when the length is unknown; the last chunk at the end.
   */
  private framed(piece: Buffer | undefined, last: boolean): Buffer {
    const head = this.pendingHead ?? '';
    this.pendingHead = undefined;
    const body = piece?.length ?? 0;
    const size = this.chunkedOut && body > 0 ? `${body.toString(16)}\r\n` : '';
    const tail = this.chunkedOut ? (body > 0 ? 2 : 0) + (last ? 5 : 0) : 0;
    const out = Buffer.allocUnsafe(head.length + size.length + body + tail);
    let at = out.write(head, 0, 'latin1');
    at += out.write(size, at, 'latin1');
    if (piece && body > 0) at += piece.copy(out, at);
    if (this.chunkedOut) {
      if (body > 0) at += out.write(CRLF, at, 'latin1');
      if (last) out.write('0\r\n\r\n', at, 'latin1');
    }
    return out;
  }

  /** An answer of the gateway's own, whole: a refusal or an error. */
  answer(status: number, headers: string[], body: string, finished: () => void): void {
    // A body the client is still sending is read and dropped, so the connection can carry its next request.
    if (this.bodyRemaining > 0 && !this.bodyData) this.discard();
    this.writeHead(status, [], headers, false);
    this.end(Buffer.from(body), finished);
  }

  destroy(): void {
    this.socket.destroy();
  }

  watchGone(gone: () => void): () => void {
    this.gone = gone;
    return () => {
      if (this.gone === gone) this.gone = undefined;
    };
  }

  // BodySource: the current request's body.

  read(data: (chunk: Buffer) => void, end: () => void): void {
    this.bodyData = data;
    this.bodyEnd = end;
    const queued = this.bodyQueue;
    this.bodyQueue = [];
    for (const piece of queued) data(piece);
    if (this.bodyRemaining === 0) end();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  discard(): void {
    this.discarding = true;
    this.bodyQueue = [];
    this.bodyData = undefined;
    this.bodyEnd = undefined;
    if (this.socket.isPaused()) this.socket.resume();
  }
}
