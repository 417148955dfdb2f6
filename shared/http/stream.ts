import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A reply body written as it comes, for answers that grow while the client reads (a driver log followed): the head
 * goes out first, then each chunk with HTTP/1.1 chunked encoding. `signal` aborts when the client goes away, so the
 * writer stops its timers and closes what it opened; `write` resolves once the chunk is taken (the socket drained).
 */
export type StreamBody = (write: (chunk: string | Buffer) => Promise<void>, signal: AbortSignal) => Promise<void>;

/**
 * Sends a streamed reply and resolves when it ended: written whole, or cut short because the client left (not an
 * error) or the writer failed (the connection is destroyed, so the client sees a truncated body, never a clean end).
 */
export async function sendStream(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  contentType: string,
  body: StreamBody,
  onError: (err: unknown) => void,
): Promise<void> {
  const gone = new AbortController();
  const leave = () => {
    if (!res.writableEnded) gone.abort();
  };
  res.once('close', leave);
  req.once('close', () => {
    // The request side closes once its body was read; only a destroyed socket means the client left.
    if (req.socket.destroyed) leave();
  });
  res.writeHead(status, { ...headers, 'content-type': contentType, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  // Headers now, so a client sees the answer begin before the first chunk.
  res.flushHeaders();
  const write = (chunk: string | Buffer): Promise<void> => {
    if (gone.signal.aborted || res.destroyed) return Promise.resolve();
    if (res.write(chunk)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        gone.signal.removeEventListener('abort', done);
        resolve();
      };
      res.once('drain', done);
      gone.signal.addEventListener('abort', done, { once: true });
    });
  };
  try {
    await body(write, gone.signal);
    if (!gone.signal.aborted) res.end();
  } catch (err) {
    if (!gone.signal.aborted) {
      onError(err);
      res.destroy();
    }
  } finally {
    res.off('close', leave);
  }
}
