import { sql } from 'kysely';
import type { CloudEventV1 } from 'cloudevents';
import type { Db, OutboxRow } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { PlatformMetrics } from '../metrics/index.js';
import type { EventTransport } from './transport.js';

export interface DispatcherOptions {
  maxAttempts: number;
  retryBaseMs: number;
  pollMs: number;
  /** How long a claimed event is hidden from other dispatchers while it is being delivered. */
  leaseMs?: number;
  batchSize?: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Delivers the outbox at least once. An event is claimed by pushing its next_attempt_at past a lease (so a second
 * dispatcher skips it); a dispatcher that dies mid-delivery leaves the lease to expire and the event is delivered
 * again. Consumers drop the duplicate by its id. No transaction is held open while delivering: the embedded
 * database has one connection and an in-process consumer needs it.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = true;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  /** Delivered events whose delete has not started yet, and the delete running now. */
  private delivered: string[] = [];
  /**
   * Delivered events whose delete has not finished yet. A delivery slower than the lease lets this dispatcher's next
   * claim take such an event again (its lease ran out, its row is still there): it is not sent twice for that.
   */
  private readonly undeleted = new Set<string>();
  private deleting: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly transport: EventTransport,
    private readonly metrics: PlatformMetrics,
    private readonly log: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.batchSize = options.batchSize ?? 50;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Something was just committed to the outbox: deliver it now rather than at the next poll. */
  nudge(delayMs = 0): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(delayMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), ms);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = this.drain();
    let delivered = 0;
    try {
      delivered = await this.running;
    } catch (err) {
      this.log.error({ err }, 'outbox dispatch failed');
    } finally {
      this.running = undefined;
    }
    const again = this.again || delivered > 0;
    this.again = false;
    this.schedule(again ? 0 : this.options.pollMs);
  }

  /** Delivers everything due; returns how many events it handled. Safe to call from a ping or a test. */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) {
        await this.deleting;
        return handled;
      }
      for (const row of batch) if (await this.deliverOne(row)) this.acknowledge(row.id);
      handled += batch.length;
    }
  }

  /**
   * A delivered event leaves the outbox off the delivery path: its delete starts at once, and the deliveries made
   * while one delete runs go together in the next (one statement for many when deliveries are fast, as in-process
   * ones are; each alone when they are slow, as over HTTP). An event whose delete did not commit before a crash is
   * delivered again after its lease, and its consumer drops it by id.
   */
  private acknowledge(id: string): void {
    this.undeleted.add(id);
    this.delivered.push(id);
    this.deleting ??= this.deleteDelivered();
  }

  private async deleteDelivered(): Promise<void> {
    try {
      while (this.delivered.length > 0) {
        const ids = this.delivered.splice(0, 1000);
        await this.db
          .deleteFrom('outbox')
          .where('id', 'in', ids)
          .execute()
          .catch((err: unknown) => {
            this.log.error({ err, events: ids.length }, 'outbox: delivered events could not be deleted; they will be delivered again');
          });
        for (const id of ids) this.undeleted.delete(id);
      }
    } finally {
      this.deleting = undefined;
    }
  }

  private async claim(): Promise<OutboxRow[]> {
    const leaseUntil = new Date(Date.now() + this.leaseMs);
    const result = await sql<OutboxRow>`
      update outbox set attempts = attempts + 1, next_attempt_at = ${leaseUntil}
      where id in (
        select id from outbox where next_attempt_at <= now()
        order by created_at, id limit ${this.batchSize}
        for update skip locked
      )
      returning *`.execute(this.db);
    return result.rows.filter((row) => !this.undeleted.has(row.id)).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  }

  /** Delivers one claimed event: true when it was delivered (the caller acknowledges it); a failure is scheduled for a retry or dead-lettered here. */
  private async deliverOne(row: OutboxRow): Promise<boolean> {
    const event: CloudEventV1<unknown> = {
      specversion: '1.0',
      id: row.id,
      source: row.source,
      type: row.type,
      time: row.time.toISOString(),
      datacontenttype: 'application/json',
      data: row.data,
      ...(row.subject ? { subject: row.subject } : {}),
    };
    try {
      await this.transport.deliver(event);
      this.metrics.eventsDelivered.inc({ type: row.type });
      return true;
    } catch (err) {
      this.metrics.eventsFailed.inc({ type: row.type });
      const message = err instanceof Error ? err.message : String(err);
      if (row.attempts >= this.options.maxAttempts) {
        await this.db.transaction().execute(async (tx) => {
          await tx
            .insertInto('dead_letters')
            .values({
              id: row.id,
              source: row.source,
              type: row.type,
              subject: row.subject,
              time: row.time,
              data: JSON.stringify(row.data),
              attempts: row.attempts,
              last_error: message,
            })
            .onConflict((oc) => oc.columns(['id', 'destination']).doNothing())
            .execute();
          await tx.deleteFrom('outbox').where('id', '=', row.id).execute();
        });
        this.metrics.eventsDeadLettered.inc({ type: row.type });
        this.log.error({ eventId: row.id, type: row.type, attempts: row.attempts, error: message }, 'event dead-lettered');
        return false;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, this.options.retryBaseMs * 2 ** (row.attempts - 1));
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      await this.db
        .updateTable('outbox')
        .set({ next_attempt_at: new Date(Date.now() + jittered), last_error: message })
        .where('id', '=', row.id)
        .execute();
      this.log.warn({ eventId: row.id, type: row.type, attempt: row.attempts, error: message }, 'event delivery failed; will retry');
      return false;
    }
  }
}
