import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FollowOptions } from './workload-runtime.js';

/** A tail asked for is found within this many bytes from the end: the last lines without reading a huge log whole. */
const TAIL_WINDOW = 4 * 1024 * 1024;
const CHUNK = 256 * 1024;

/**
 * Where the last `lines` complete lines of a file start, and where its complete lines end: a partial last line is
 * left for the follower to send once it is written, so a line is never split by the tail.
 */
async function tailRange(handle: FileHandle, size: number, lines: number): Promise<{ start: number; end: number }> {
  const from = Math.max(0, size - TAIL_WINDOW);
  const buffer = Buffer.alloc(size - from);
  await handle.read(buffer, 0, buffer.length, from);
  const lastNewline = buffer.lastIndexOf(0x0a);
  if (lastNewline === -1) return { start: from, end: from };
  let start = lastNewline;
  for (let n = 0; n < lines && start > 0; n++) {
    const previous = buffer.lastIndexOf(0x0a, start - 1);
    start = previous;
    if (previous === -1) break;
  }
  return { start: from + start + 1, end: from + lastNewline + 1 };
}

/**
 * A log file's last lines, then whatever is appended to it, as raw bytes (a multi-byte character may span two
 * chunks; the client decodes the stream). Polls every `pollMs`: a file watcher would not say more (the writer is a
 * child process appending through its own descriptor) and every platform has a clock. Ends when the writer is done
 * (`ended()`) and a last look finds nothing new; stops at once when `signal` aborts, closing the file.
 */
export async function* followFile(file: string, o: FollowOptions & { pollMs: number }): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  try {
    const range = await tailRange(handle, (await handle.stat()).size, o.tailLines);
    const end = range.end;
    let offset = range.start;
    if (end > offset) {
      const head = Buffer.alloc(end - offset);
      await handle.read(head, 0, head.length, offset);
      offset = end;
      yield head;
    }
    let endedSeen = false;
    while (!o.signal.aborted) {
      const size = (await handle.stat()).size;
      if (size > offset) {
        const chunk = Buffer.alloc(Math.min(CHUNK, size - offset));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
        offset += bytesRead;
        if (bytesRead > 0) yield chunk.subarray(0, bytesRead);
        continue;
      }
      // Quiet: done if the writer had ended before this look (so nothing it wrote can still be on its way).
      if (endedSeen) return;
      endedSeen = await o.ended();
      if (endedSeen) continue;
      try {
        await sleep(o.pollMs, undefined, { signal: o.signal });
      } catch {
        return; // the client went away
      }
    }
  } finally {
    await handle.close();
  }
}
