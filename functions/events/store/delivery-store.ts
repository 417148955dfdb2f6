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
  /** Moves a dead letter back to the outbox, due now, with a fresh retry budget; false when there is none. */
  redrive(id: string): Promise<boolean>;
  /** false when there is none. */
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
      }));
    },
    async redrive(id) {
      const dead = await db.deleteFrom('dead_letters').where('id', '=', id).returningAll().executeTakeFirst();
      if (!dead) return false;
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
        .execute();
      return true;
    },
    async delete(id) {
      return (await db.deleteFrom('dead_letters').where('id', '=', id).returning('id').executeTakeFirst()) !== undefined;
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
