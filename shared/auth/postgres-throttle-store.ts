import { sql } from 'kysely';
import type { Executor } from '../db/index.js';
import type { ThrottleStore } from './throttle-store.js';

/** The PostgreSQL throttle store (PGlite runs the same SQL): table credential_failures, times from the database's clock. */
export function postgresThrottleStore(db: Executor): ThrottleStore {
  return {
    async blocked(ids) {
      const rows = await db
        .selectFrom('credential_failures')
        .select(['key', sql<string | number>`extract(epoch from blocked_until - now())`.as('wait')])
        .where('key', 'in', ids)
        .where('blocked_until', '>', sql<Date>`now()`)
        .execute();
      return rows.map((row) => ({ key: row.key, waitSeconds: Number(row.wait) }));
    },

    async increment(id, scope, keepSeconds) {
      const expires = sql<Date>`now() + ${keepSeconds}::integer * interval '1 second'`;
      const row = await db
        .insertInto('credential_failures')
        .values({ key: id, scope, failures: 1, blocked_until: null, expires_at: expires })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when credential_failures.expires_at <= now() then 1 else credential_failures.failures + 1 end`,
            blocked_until: sql<Date | null>`case when credential_failures.expires_at <= now() then null else credential_failures.blocked_until end`,
            expires_at: sql<Date>`greatest(${expires}, case when credential_failures.expires_at <= now() then null else credential_failures.blocked_until end)`,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return row.failures;
    },

    async block(id, seconds) {
      const until = sql<Date>`now() + ${seconds}::integer * interval '1 second'`;
      await db
        .updateTable('credential_failures')
        .set({ blocked_until: sql<Date>`greatest(blocked_until, ${until})`, expires_at: sql<Date>`greatest(expires_at, ${until})` })
        .where('key', '=', id)
        .execute();
    },

    async forget(ids) {
      if (ids.length > 0) await db.deleteFrom('credential_failures').where('key', 'in', ids).execute();
    },

    async sweepExpired(limit) {
      await db
        .deleteFrom('credential_failures')
        .where('key', 'in', (eb) =>
          eb
            .selectFrom('credential_failures')
            .select('key')
            .where('expires_at', '<', sql<Date>`now()`)
            .limit(limit),
        )
        .execute();
    },
  };
}
