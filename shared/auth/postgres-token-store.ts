import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/index.js';
import type { TokenStore } from './token-store.js';

/** The PostgreSQL token store (PGlite runs the same SQL). Every lookup is by a unique hash index. */
export function postgresTokenStore(db: Executor): TokenStore {
  return {
    async findPersonalAccessToken(hash) {
      const row = await db
        .selectFrom('personal_access_tokens')
        .select(['id', 'user_id', 'expires_at', 'revoked_at', 'last_used_at', 'scope', 'max_requests_per_second'])
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          userId: row.user_id,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
          lastUsedAt: row.last_used_at,
          scope: row.scope,
          maxRequestsPerSecond: row.max_requests_per_second,
        }
      );
    },

    async recordPersonalAccessTokenUse(id) {
      await db.updateTable('personal_access_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
    },

    async findClientSecret(hash) {
      const row = await db
        .selectFrom('service_account_secrets')
        .innerJoin('service_accounts', 'service_accounts.id', 'service_account_secrets.service_account_id')
        .select([
          'service_accounts.id as id',
          'service_accounts.name as name',
          'service_accounts.client_id as client_id',
          'service_accounts.active as active',
          'service_account_secrets.expires_at as expires_at',
          'service_account_secrets.revoked_at as revoked_at',
        ])
        .where('service_account_secrets.secret_hash', '=', hash)
        .executeTakeFirst();
      return (
        row && {
          serviceAccountId: row.id,
          serviceAccountName: row.name,
          clientId: row.client_id,
          active: row.active,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
        }
      );
    },

    async createRefreshToken({ hash, familyId, owner, expiresAt, scope }) {
      await db
        .insertInto('refresh_tokens')
        .values({
          id: randomUUID(),
          token_hash: hash,
          family_id: familyId,
          user_id: 'userId' in owner ? owner.userId : null,
          service_account_id: 'serviceAccountId' in owner ? owner.serviceAccountId : null,
          expires_at: expiresAt,
          scope,
        })
        .execute();
    },

    async findRefreshToken(hash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .select(['family_id', 'scope', 'used_at', 'revoked_at'])
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      return row && { familyId: row.family_id, scope: row.scope, usedAt: row.used_at, revokedAt: row.revoked_at };
    },

    async spendRefreshToken(hash) {
      const row = await db
        .updateTable('refresh_tokens')
        .set({ used_at: new Date() })
        .where('token_hash', '=', hash)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', new Date())
        .returning(['family_id', 'user_id', 'service_account_id', 'scope'])
        .executeTakeFirst();
      return row && { familyId: row.family_id, userId: row.user_id, serviceAccountId: row.service_account_id, scope: row.scope };
    },

    async revokeRefreshTokenFamily(familyId) {
      await db.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
    },
  };
}
