import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';

export interface DecisionRecord {
  kind: 'data' | 'control';
  principal: string;
  action: string;
  resource: string;
  allowed: boolean;
  policyId?: string | undefined;
  policyVersion?: number | undefined;
  setVersion: number;
  input: Record<string, unknown>;
  result: Record<string, unknown>;
}

const FLUSH_EVERY_MS = 1000;
const FLUSH_AT = 500;
const MAX_BUFFERED = 20_000;

/**
 * Writes audited decisions in batches, off the request path: a table read that its policy audits must not pay a
 * database write. Records wait at most a second (or until 500 are buffered); on shutdown the rest are written. If
 * the store cannot keep up, the oldest waiting records are dropped and counted in the log, never the request.
 */
export class DecisionLog {
  private buffer: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  record(r: DecisionRecord): void {
    this.buffer.push(r);
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
        await this.db
          .insertInto('policy_decision_log')
          .values(batch.map((r) => ({ kind: r.kind, principal: r.principal, action: r.action, resource: r.resource, allowed: r.allowed, policy_id: r.policyId ?? null, policy_version: r.policyVersion ?? null, set_version: String(r.setVersion), input: JSON.stringify(r.input), result: JSON.stringify(r.result) })))
          .execute();
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
