import { sql } from 'kysely';
import type { JWK } from 'jose';
import { inTransaction, type Executor } from '../db/index.js';
import type { NewSigningKey, SigningKeyStore } from './signing-key-store.js';

async function insertKey(db: Executor, key: NewSigningKey): Promise<string> {
  await db
    .insertInto('signing_keys')
    .values({ kid: key.kid, alg: key.alg, public_jwk: JSON.stringify(key.publicJwk), private_jwk: JSON.stringify(key.privateJwk) })
    .execute();
  return key.kid;
}

/** Serializes key changes of every process on the database, for the rest of the transaction. */
const lockKeys = (db: Executor) => sql`select pg_advisory_xact_lock(hashtext('lakeplane.signing_keys'))`.execute(db);

/** The PostgreSQL signing key store (PGlite runs the same SQL). */
export function postgresSigningKeyStore(db: Executor): SigningKeyStore {
  return {
    async ensureSigningKey(generate) {
      await inTransaction(db, async (tx) => {
        await lockKeys(tx);
        const existing = await tx.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).executeTakeFirst();
        if (!existing) await insertKey(tx, await generate());
      });
    },

    async rotate(generate) {
      return inTransaction(db, async (tx) => {
        await lockKeys(tx);
        const retired = await tx.updateTable('signing_keys').set({ retired_at: new Date() }).where('retired_at', 'is', null).returning('kid').execute();
        const kid = await insertKey(tx, await generate());
        return { kid, retired: retired.map((r) => r.kid) };
      });
    },

    async liveKeys(horizon) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', horizon)]))
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        publicJwk: row.public_jwk as JWK,
        privateJwk: row.private_jwk as JWK,
        retiredAt: row.retired_at,
      }));
    },
  };
}
