import { pino } from 'pino';

type Destination = ReturnType<typeof pino.destination>;

/** Writes to stdout are at least this far apart; a quiet process writes a line at the end of its turn. */
const MIN_FLUSH_INTERVAL_MS = 5;
/** Past this much pending text it is written at once. */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * Log lines go out once per event-loop turn, joined, instead of one write(2) each, and under load at most every
 * 5 ms. With a write per line, writing the log was a tenth of a loadTable's CPU profile; with one per turn, still an
 * eighth of the gateway's, whose turns finish a few requests each (bench/RESULTS.md, issue 21). A line waits at
 * most until the loop next polls for I/O (setImmediate) when the last write is 5 ms old, else until it is, and
 * lines still pending when the process exits are written synchronously on the way out.
 */
export class TurnBatchedStream {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private lastFlushMs = 0;
  private readonly flushNow = () => this.flushSync();

  constructor(private readonly out: Destination) {
    process.once('exit', this.flushNow);
  }

  write(line: string): boolean {
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars > MAX_PENDING_CHARS) {
      this.flushSync();
    } else if (!this.scheduled) {
      this.scheduled = true;
      const wait = this.lastFlushMs + MIN_FLUSH_INTERVAL_MS - Date.now();
      if (wait <= 0) setImmediate(this.flushNow);
      else setTimeout(this.flushNow, wait);
    }
    return true;
  }

  flushSync(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.lastFlushMs = Date.now();
    this.out.write(text);
  }

  /** pino's logger.flush() */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }
}

let stdout: TurnBatchedStream | undefined;

/**
 * stdout, written synchronously (sonic-boom retries partial writes and EAGAIN), one write per loop turn. One per
 * process, shared by every logger, so their lines keep their order.
 */
export function batchedStdout(): TurnBatchedStream {
  return (stdout ??= new TurnBatchedStream(pino.destination({ dest: 1, sync: true })));
}
