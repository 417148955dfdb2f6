import type { IncomingMessage, ServerResponse } from 'node:http';
import { linePairs } from './http1/response-head.js';
import type { BodySource, Downstream } from './proxy.js';

/** An answer written through Node's ServerResponse: Node frames the body itself (chunked when no length is given). */
export function responseDownstream(res: ServerResponse): Downstream {
  return {
    writeHead: (status, lines, ours) => void res.writeHead(status, [...linePairs(lines), ...ours]),
    write: (piece) => res.write(piece),
    onceDrain: (resume) => void res.once('drain', resume),
    offDrain: (resume) => void res.off('drain', resume),
    end: (last, finished) => void (last ? res.end(last, finished) : res.end(finished)),
    destroy: () => void (res.destroyed || res.destroy()),
    watchGone(gone) {
      const onClose = () => {
        if (!res.writableFinished) gone();
      };
      res.once('close', onClose);
      return () => res.off('close', onClose);
    },
  };
}

/** The body of a request Node's server parsed (it has undone any chunking). */
export function requestBody(req: IncomingMessage): BodySource {
  let onData: ((chunk: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;
  return {
    read(data, end) {
      onData = data;
      onEnd = end;
      req.on('data', data);
      req.on('end', end);
    },
    pause: () => void req.pause(),
    resume: () => void req.resume(),
    discard() {
      if (onData) req.off('data', onData);
      if (onEnd) req.off('end', onEnd);
      // Read and dropped: Node's server can then parse the client's next request, or carry our 502.
      req.resume();
    },
  };
}
