import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Executor, PersonalAccessTokensTable } from '../../../shared/db/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';

/** A personal access token as it is shown: never its secret, only the first characters to tell tokens apart. */
export interface PersonalAccessToken {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  scope: string | null;
  maxRequestsPerSecond: number | null;
}

export interface TokenPage {
  items: PersonalAccessToken[];
  nextPageToken: string | null;
}

export interface NewToken {
  userId: string;
  name: string;
  /** The hash of the secret, which is not stored. */
  tokenHash: string;
  displayPrefix: string;
  expiresAt: Date | null;
  scope: string | null;
  maxRequestsPerSecond: number | null;
}

/** Personal access tokens. */
export interface TokenStore {
  /** Whether the user exists; a token is minted for an existing user only. */
  userExists(userId: string): Promise<boolean>;
  create(token: NewToken): Promise<PersonalAccessToken>;
  list(userId: string, filter: { includeRevoked: boolean; pageSize: number; pageToken?: string | undefined }): Promise<TokenPage>;
  /** The user a token belongs to, or undefined when there is no such token. */
  ownerOf(tokenId: string): Promise<string | undefined>;
  /**
   * Revokes a token: 'revoked' with the token when this revoked it, 'already' when it was revoked before (it keeps
   * its first revocation time), 'missing' when there is no such token.
   */
  revoke(tokenId: string): Promise<{ outcome: 'revoked'; token: PersonalAccessToken } | { outcome: 'already' | 'missing' }>;
}

function toToken(row: Selectable<PersonalAccessTokensTable>): PersonalAccessToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.display_prefix,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    scope: row.scope,
    maxRequestsPerSecond: row.max_requests_per_second,
  };
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function tokenStore(db: Executor): TokenStore {
  const ownerOf = async (tokenId: string) =>
    (await db.selectFrom('personal_access_tokens').select('user_id').where('id', '=', tokenId).executeTakeFirst())?.user_id;
  return {
    async userExists(userId) {
      return (await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) !== undefined;
    },
    async create(token) {
      const row = await db
        .insertInto('personal_access_tokens')
        .values({
          id: randomUUID(),
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          display_prefix: token.displayPrefix,
          expires_at: token.expiresAt,
          last_used_at: null,
          revoked_at: null,
          scope: token.scope,
          max_requests_per_second: token.maxRequestsPerSecond,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toToken(row);
    },
    async list(userId, { includeRevoked, pageSize, pageToken }) {
      const cursor = decodeCursor(pageToken);
      let q = db.selectFrom('personal_access_tokens').selectAll().where('user_id', '=', userId);
      if (!includeRevoked) q = q.where('revoked_at', 'is', null);
      if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await q
        .orderBy('created_at')
        .orderBy('id')
        .limit(pageSize + 1)
        .execute();
      return pageOf(rows, pageSize, toToken);
    },
    ownerOf,
    async revoke(tokenId) {
      const row = await db
        .updateTable('personal_access_tokens')
        .set({ revoked_at: new Date() })
        .where('id', '=', tokenId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row) return { outcome: 'revoked', token: toToken(row) };
      // Only when nothing was revoked: the first revocation of a token stays one statement.
      return { outcome: (await ownerOf(tokenId)) === undefined ? 'missing' : 'already' };
    },
  };
}
