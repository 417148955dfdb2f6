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
    const now = new Date();
    const rows = events.map((event) => ({
      id: randomUUID(),
      source: this.source,
      type: event.type.type,
      subject: event.subject ?? null,
      time: now,
      data: JSON.stringify(event.data),
      next_attempt_at: now,
    }));
    await tx.insertInto('outbox').values(rows).execute();
    for (const event of events) this.metrics.eventsPublished.inc({ type: event.type.type });
    this.onPublished();
    return rows.map((r) => r.id);
  }
}
