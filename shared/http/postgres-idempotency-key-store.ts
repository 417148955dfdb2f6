import type { Executor } from '../db/index.js';
import type { IdempotencyKeyStore } from './idempotency-key-store.js';

/** `text` matched literally by LIKE (backslash is PostgreSQL's default escape). */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The PostgreSQL store (PGlite runs the same SQL): table idempotency_keys, keyed by (scope, key), aged by created_at. */
export function postgresIdempotencyKeyStore(db: Executor): IdempotencyKeyStore {
  return {
    async find(scope, key) {
      return db.selectFrom('idempotency_keys').select(['operation', 'status', 'body']).where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    },

    async claim({ scope, key, operation, principal }) {
      await db.insertInto('idempotency_keys').values({ scope, key, operation, principal, status: 0, body: null }).execute();
    },

    async settle(scope, key, { status, body }) {
      await db.updateTable('idempotency_keys').set({ status, body }).where('scope', '=', scope).where('key', '=', key).execute();
    },

    async keepRefusal({ scope, key, operation, principal }, { status, body }) {
      await db
        .insertInto('idempotency_keys')
        .values({ scope, key, operation, principal, status, body })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .execute();
    },

    async deleteExpired(owner, before) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', before)
        .where((eb) => eb.or([eb('scope', '=', owner), eb('scope', 'like', `${likeLiteral(owner)}/%`)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
