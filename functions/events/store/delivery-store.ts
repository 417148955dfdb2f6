import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';

export interface DeadLetter {
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: string;
  data: unknown;
  attempts: number;
  lastError: string | null;
  deadAt: string;
  /** The subscriber the Broker gave up on; null for an event that never reached the Broker (the outbox's). */
  destination: string | null;
  /** What that subscriber last answered; null when nothing answered, and for the outbox's. */
  errorCode: number | null;
}

/** A delivery the Broker gave up on, as its dead-letter sink receives it. */
export interface BrokerDeadLetter {
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: Date;
  data: unknown;
  destination: string;
  errorCode: number | null;
  error: string;
}

export interface PendingEvents {
  type: string;
  pending: number;
  oldest: string;
  maxAttempts: number;
  lastError: string | null;
}

/** Events whose delivery failed past the retry limit (dead_letters), and what waits in the outbox. */
export interface DeliveryStore {
  list(filter: { type?: string; pageSize?: number; pageToken?: string }): Promise<{ items: DeadLetter[]; nextPageToken: string | null }>;
  /** Records a Broker's dead letter once per event and destination: a redelivery of the same one changes nothing. */
  record(letter: BrokerDeadLetter): Promise<'recorded' | 'duplicate'>;
  /**
   * Moves the event back to the outbox, due now, with a fresh retry budget, and forgets its dead letters at every
   * destination: it goes through the Broker to every Trigger again, and consumers that had it deduplicate by its id.
   * False when there is none.
   */
  redrive(id: string): Promise<boolean>;
  /** The event's dead letters at every destination; false when there is none. */
  delete(id: string): Promise<boolean>;
  /** The outbox by type: how many wait, since when, the most attempts and the last error. */
  pending(): Promise<PendingEvents[]>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function deliveryStore(db: Executor): DeliveryStore {
  return {
    async list({ type, pageSize, pageToken }) {
      const size = pageSize ?? 50;
      const cursor = decodeCursor(pageToken);
      let q = db.selectFrom('dead_letters').selectAll().select('dead_at as created_at');
      if (type) q = q.where('type', '=', type);
      if (cursor) q = q.where((eb) => eb(eb.refTuple('dead_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await q
        .orderBy('dead_at')
        .orderBy('id')
        .orderBy('destination')
        .limit(size + 1)
        .execute();
      return pageOf(rows, size, (r) => ({
        id: r.id,
        source: r.source,
        type: r.type,
        subject: r.subject,
        time: r.time.toISOString(),
        data: r.data,
        attempts: r.attempts,
        lastError: r.last_error,
        deadAt: r.dead_at.toISOString(),
        destination: r.destination === '' ? null : r.destination,
        errorCode: r.error_code,
      }));
    },
    async record(letter) {
      const inserted = await db
        .insertInto('dead_letters')
        .values({
          id: letter.id,
          source: letter.source,
          type: letter.type,
          subject: letter.subject,
          time: letter.time,
          data: JSON.stringify(letter.data ?? null),
          // The Broker does not say how often it tried; its Trigger's delivery spec does.
          attempts: 0,
          last_error: letter.error,
          destination: letter.destination,
          error_code: letter.errorCode,
        })
        .onConflict((oc) => oc.columns(['id', 'destination']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted ? 'recorded' : 'duplicate';
    },
    async redrive(id) {
      const [dead] = await db.deleteFrom('dead_letters').where('id', '=', id).returningAll().execute();
      if (!dead) return false;
      // Still in the outbox (redriven before, or published again): it is already on its way.
      await db
        .insertInto('outbox')
        .values({
          id: dead.id,
          source: dead.source,
          type: dead.type,
          subject: dead.subject,
          time: dead.time,
          data: JSON.stringify(dead.data),
          next_attempt_at: new Date(),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return true;
    },
    async delete(id) {
      return (await db.deleteFrom('dead_letters').where('id', '=', id).returning('id').execute()).length > 0;
    },
    async pending() {
      const rows = await sql<{ type: string; pending: string; oldest: Date; max_attempts: number; last_error: string | null }>`
        select type, count(*)::text as pending, min(created_at) as oldest, max(attempts) as max_attempts,
               (array_agg(last_error order by created_at desc) filter (where last_error is not null))[1] as last_error
        from outbox group by type order by type`.execute(db);
      return rows.rows.map((r) => ({
        type: r.type,
        pending: Number(r.pending),
        oldest: r.oldest.toISOString(),
        maxAttempts: r.max_attempts,
        lastError: r.last_error,
      }));
    },
  };
}
