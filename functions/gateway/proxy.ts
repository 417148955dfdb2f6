import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { BadGatewayError, UnavailableError, type LakeplaneError } from '../../shared/errors/index.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';

/** Failures that mean nothing reached the function: it is down, not yet up, or not there. Retrying later may work. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export type ForwardOutcome =
  | { readonly answered: true; readonly status: number; readonly ended: 'complete' | 'client-gone' | 'failed'; readonly error?: unknown }
  /** Nothing was sent to the client: the caller answers with `error`. */
  | { readonly answered: false; readonly error: LakeplaneError; readonly cause: unknown };

/**
 * Forwards one request to a function and streams the answer back as it comes, both ways: the upstream body is
 * written into the ServerResponse chunk by chunk, pausing the upstream while the client's socket is full, so a large
 * result or a followed log never sits in memory; a request body is piped to the upstream as the client sends it. One
 * keep-alive pool per upstream origin.
 */
export class UpstreamProxy {
  private readonly agent = new Agent({
    keepAliveTimeout: 30_000,
    // An answer may take long to start (a SQL statement waiting for its result), and a stream may pause for long
    // (a followed driver log): neither is a failure of the function. The client's own timeout governs.
    headersTimeout: 600_000,
    bodyTimeout: 0,
    connect: { timeout: 5_000 },
  });

  forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: URL,
    functionName: string,
    headers: Record<string, string | string[]>,
    extraResponseHeaders: Record<string, string>,
  ): Promise<ForwardOutcome> {
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    // The body goes through a PassThrough undici may destroy on failure: the client's own request stays whole, so Node
    // drains it and the connection lives on to carry the 502/503.
    const body = hasBody ? req.pipe(new PassThrough()) : null;
    return new Promise((settle) => {
      const forwarding = new Forwarding(res, functionName, extraResponseHeaders, settle);
      this.agent.dispatch({ origin: target.origin, path: req.url ?? '/', method: req.method ?? 'GET', headers, body }, forwarding);
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * One request's way through undici's dispatcher (its handler interface): no AbortSignal, promise or stream wrapper
 * a request, which a higher-level call (stream(), request()) would add. The gateway forwards every request, so
 * this is most of its own work.
 */
class Forwarding implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private clientGone = false;
  private ending = false;
  private settled = false;
  private readonly onClientClose = () => {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    // The whole answer came, but the client left before it was written out; else the upstream is dropped too.
    if (this.ending) this.done({ answered: true, status: this.status, ended: 'client-gone' });
    else this.controller?.abort(new Error('the client closed the connection'));
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly functionName: string,
    private readonly extraResponseHeaders: Record<string, string>,
    private readonly settle: (outcome: ForwardOutcome) => void,
  ) {
    res.once('close', this.onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('the client closed the connection'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx (e.g. 103 Early Hints) are not passed on; the final answer follows.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.res.writeHead(statusCode, downstreamResponseHeaders(headers, this.extraResponseHeaders));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    // Settled once the answer is handed to the socket: a draining gateway waits for it before closing connections.
    this.ending = true;
    this.res.end(() => this.done({ answered: true, status: this.status, ended: 'complete' }));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    const { res } = this;
    if (res.headersSent || this.status !== 0) {
      // Mid-stream: the status is out, so the only honest signal left is a cut connection.
      if (!res.destroyed) res.destroy();
      this.done({ answered: true, status: this.status, ended: this.clientGone ? 'client-gone' : 'failed', error: err });
    } else if (this.clientGone) {
      this.done({ answered: true, status: 499, ended: 'client-gone' });
    } else {
      this.done({ answered: false, error: upstreamError(this.functionName, err), cause: err });
    }
  }

  private done(outcome: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.res.off('close', this.onClientClose);
    this.settle(outcome);
  }
}

function upstreamError(functionName: string, err: unknown): LakeplaneError {
  const code = (err as { code?: string } | undefined)?.code ?? (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    const e = new UnavailableError(`the ${functionName} function is not reachable at the moment; retry shortly`, { cause: err });
    e.headers['retry-after'] = '1';
    return e;
  }
  return new BadGatewayError(`the ${functionName} function did not answer the request (${code ?? 'connection failed'})`, { cause: err });
}
