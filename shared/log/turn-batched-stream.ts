import { pino } from 'pino';

type Destination = ReturnType<typeof pino.destination>;

/**
 * Log lines go out once per event-loop turn, joined, instead of one write(2) each. Under load one turn finishes
 * several requests, and their request lines then cost one system call: with a write per line, writing the log was
 * a tenth of a loadTable's CPU profile. A line waits at most until the loop next polls for I/O (setImmediate), and
 * lines still pending when the process exits are written synchronously on the way out.
 */
export class TurnBatchedStream {
  private pending: string[] = [];
  private scheduled = false;
  private readonly flushNow = () => this.flushSync();

  constructor(private readonly out: Destination) {
    process.once('exit', this.flushNow);
  }

  write(line: string): boolean {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
    return true;
  }

  flushSync(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
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
