import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Tx } from '../db/index.js';
import type { PlatformMetrics } from '../metrics/index.js';
import type { EventType } from './event-types.js';

export interface OutgoingEvent<S extends TSchema> {
  type: EventType<S>;
  /** What the event is about, e.g. users/4f1c... (CloudEvents `subject`). */
  subject?: string;
  data: Static<S>;
}

/** An outbox row as written: `data` is the event's data itself (JSON in the column). */
export interface OutboxRowValues {
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: Date;
  data: unknown;
  next_attempt_at: Date;
}

/**
 * Events are written in the same transaction as the change they announce, so an event exists exactly when its change
 * committed. The dispatcher delivers them afterwards, at least once.
 */
export class Outbox {
  constructor(
    private readonly source: string,
    private readonly metrics: PlatformMetrics,
    private readonly onPublished: () => void,
  ) {}

  async publish<S extends TSchema>(tx: Tx, event: OutgoingEvent<S>): Promise<string> {
    const [id] = await this.publishMany(tx, [event]);
    return id!;
  }

  /** Several events in one statement (a batch of changes in one transaction); their ids, in order. */
  async publishMany<S extends TSchema>(tx: Tx, events: ReadonlyArray<OutgoingEvent<S>>): Promise<string[]> {
    if (events.length === 0) return [];
    const rows = this.rowsOf(events);
    await tx
      .insertInto('outbox')
      .values(rows.map((r) => ({ ...r, data: JSON.stringify(r.data) })))
      .execute();
    this.published(events);
    return rows.map((r) => r.id);
  }

  /**
   * The outbox rows of some events, for a caller that writes them within a statement of its own (one round trip
   * for a whole batch of changes); it calls published() once that statement ran.
   */
  rowsOf<S extends TSchema>(events: ReadonlyArray<OutgoingEvent<S>>): OutboxRowValues[] {
    const now = new Date();
    return events.map((event) => ({
      id: randomUUID(),
      source: this.source,
      type: event.type.type,
      subject: event.subject ?? null,
      time: now,
      data: event.data,
      next_attempt_at: now,
    }));
  }

  published<S extends TSchema>(events: ReadonlyArray<OutgoingEvent<S>>): void {
    if (events.length === 0) return;
    for (const event of events) this.metrics.eventsPublished.inc({ type: event.type.type });
    this.onPublished();
  }
}
