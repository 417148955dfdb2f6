import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { BadGatewayError, UnavailableError, type LakeplaneError } from '../../shared/errors/index.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';

/** Failures that mean nothing reached the function: it is down, not yet up, or not there. Retrying later may work. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export type ForwardOutcome =
  | { readonly answered: true; readonly status: number; readonly ended: 'complete' | 'client-gone' | 'failed'; readonly error?: unknown }
  /** Nothing was sent to the client: the caller answers with `error`. */
  | { readonly answered: false; readonly error: LakeplaneError; readonly cause: unknown };

/**
 * Forwards one request to a function and streams the answer back as it comes, both ways: undici's stream() writes the
 * upstream body into the ServerResponse with backpressure, so a large result or a followed log never sits in memory,
 * and a request body is piped to the upstream as the client sends it. One keep-alive pool per upstream origin.
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

  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: URL,
    functionName: string,
    headers: Record<string, string | string[]>,
    extraResponseHeaders: Record<string, string>,
  ): Promise<ForwardOutcome> {
    const abort = new AbortController();
    const clientGone = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', clientGone);
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    // The body goes through a PassThrough undici may destroy on failure: the client's own request stays whole, so Node
    // drains it and the connection lives on to carry the 502/503.
    const body = hasBody ? req.pipe(new PassThrough()) : null;
    let status = 0;
    try {
      await this.agent.stream(
        { origin: target.origin, path: req.url ?? '/', method: req.method ?? 'GET', headers, body, signal: abort.signal },
        ({ statusCode, headers: upstream }) => {
          status = statusCode;
          res.writeHead(statusCode, downstreamResponseHeaders(upstream, extraResponseHeaders));
          return res;
        },
      );
      return { answered: true, status, ended: 'complete' };
    } catch (err) {
      if (res.headersSent || status !== 0) {
        // Mid-stream: the status is out, so the only honest signal left is a cut connection.
        if (!res.destroyed) res.destroy();
        return { answered: true, status, ended: abort.signal.aborted ? 'client-gone' : 'failed', error: err };
      }
      if (abort.signal.aborted) return { answered: true, status: 499, ended: 'client-gone' };
      return { answered: false, error: upstreamError(functionName, err), cause: err };
    } finally {
      res.off('close', clientGone);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
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
