import type { Logger } from '../log/index.js';
import type { DecisionRecord, DecisionRecordStore, TimedDecisionRecord } from './decision-record-store.js';

const FLUSH_EVERY_MS = 1000;
const FLUSH_AT = 500;
const MAX_BUFFERED = 20_000;

/**
 * Writes audited decisions in batches, off the request path: a table read that its policy audits must not pay a
 * database write. Records wait at most a second (or until 500 are buffered); on shutdown the rest are written. If
 * the store cannot keep up, the oldest waiting records are dropped and counted in the log, never the request.
 */
export class DecisionLog {
  private buffer: TimedDecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly store: DecisionRecordStore,
    private readonly log: Logger,
  ) {}

  record(r: DecisionRecord): void {
    this.buffer.push({ ...r, at: Date.now() });
    if (this.buffer.length > MAX_BUFFERED) {
      this.buffer.shift();
      this.dropped += 1;
    }
    if (this.buffer.length >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = (async () => {
      try {
        await this.store.append(batch);
      } catch (err) {
        this.dropped += batch.length;
        this.log.error({ err, dropped: batch.length }, 'decision log: a batch could not be written');
      }
      if (this.dropped > 0) {
        this.log.warn({ dropped: this.dropped }, 'decision log: records dropped');
        this.dropped = 0;
      }
    })();
    await this.flushing;
    this.flushing = undefined;
  }
}
