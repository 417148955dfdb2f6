import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { hashSecret, IamEvents, isScope, newSecret, scopeAllows, SCOPES, SECRET_PREFIX, splitScope } from '../../../shared/auth/index.js';
import type { Executor, PersonalAccessTokensTable } from '../../../shared/db/index.js';
import { NotFoundError, ValidationError } from '../../../shared/errors/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';

const DISPLAY_PREFIX_LENGTH = SECRET_PREFIX.personalAccessToken.length + 6;

function toToken(row: Selectable<PersonalAccessTokensTable>) {
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
  };
}

/**
 * A personal access token's scope: what was asked, from the vocabulary, never wider than the token minting it (a
 * scoped token cannot mint itself an unscoped one). Nothing asked: the minting token's scope.
 */
export function tokenScope(requested: string | undefined, minting: readonly string[] | undefined): string | null {
  const wanted = splitScope(requested);
  const unknown = wanted.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new ValidationError([{ in: 'body', field: 'scope', message: `${unknown.join(' ')} is not a scope; scopes are: ${SCOPES.join(' ')}` }]);
  if (wanted.length === 0) return minting ? minting.join(' ') : null;
  if (minting && !wanted.every((w) => scopeAllows(minting, [w]))) {
    throw new ValidationError([{ in: 'body', field: 'scope', message: `${wanted.join(' ')} exceeds the scope of the token minting it (${minting.join(' ')})` }]);
  }
  return wanted.join(' ');
}

export async function createToken(platform: Platform, userId: string, name: string, expiresInDays: number | undefined, scope: string | null) {
  const secret = newSecret(SECRET_PREFIX.personalAccessToken);
  return platform.store.db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom('users').select(['id', 'active']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new NotFoundError(`user ${userId} does not exist`);
    const row = await tx
      .insertInto('personal_access_tokens')
      .values({
        id: randomUUID(),
        user_id: userId,
        name,
        token_hash: hashSecret(secret),
        display_prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
        expires_at: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
        last_used_at: null,
        revoked_at: null,
        scope,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await platform.outbox.publish(tx, { type: IamEvents.tokenCreated, subject: `users/${userId}/tokens/${row.id}`, data: { tokenId: row.id, userId, name } });
    return { ...toToken(row), token: secret };
  });
}

export async function listTokens(db: Executor, userId: string, includeRevoked: boolean, pageSize: number, pageToken: string | undefined) {
  const cursor = decodeCursor(pageToken);
  let q = db.selectFrom('personal_access_tokens').selectAll().where('user_id', '=', userId);
  if (!includeRevoked) q = q.where('revoked_at', 'is', null);
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at').orderBy('id').limit(pageSize + 1).execute();
  return pageOf(rows, pageSize, toToken);
}

export async function findTokenOwner(db: Executor, tokenId: string): Promise<string> {
  const row = await db.selectFrom('personal_access_tokens').select('user_id').where('id', '=', tokenId).executeTakeFirst();
  if (!row) throw new NotFoundError(`token ${tokenId} does not exist`);
  return row.user_id;
}

/** Revoking twice is harmless; the token keeps its first revocation time. */
export async function revokeToken(platform: Platform, tokenId: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const row = await tx.updateTable('personal_access_tokens').set({ revoked_at: new Date() }).where('id', '=', tokenId).where('revoked_at', 'is', null).returning(['id', 'user_id', 'name']).executeTakeFirst();
    if (row) await platform.outbox.publish(tx, { type: IamEvents.tokenRevoked, subject: `users/${row.user_id}/tokens/${row.id}`, data: { tokenId: row.id, userId: row.user_id, name: row.name } });
  });
  platform.authenticator.invalidate();
}
