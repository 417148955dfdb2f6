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
    const id = randomUUID();
    await tx
      .insertInto('outbox')
      .values({
        id,
        source: this.source,
        type: event.type.type,
        subject: event.subject ?? null,
        time: new Date(),
        data: JSON.stringify(event.data),
        next_attempt_at: new Date(),
      })
      .execute();
    this.metrics.eventsPublished.inc({ type: event.type.type });
    this.onPublished();
    return id;
  }
}
