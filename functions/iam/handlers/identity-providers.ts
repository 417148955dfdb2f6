import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { IamEvents } from '../../../shared/auth/index.js';
import { withDatabaseErrors, type Executor, type IdentityProviderRow } from '../../../shared/db/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { CreateIdentityProviderBody, UpdateIdentityProviderBody } from '../schemas.js';

function toProvider(row: IdentityProviderRow) {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    audience: row.audience,
    usernameClaim: row.username_claim,
    groupsClaim: row.groups_claim,
    emailClaim: row.email_claim,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export async function listProviders(db: Executor) {
  return { items: (await db.selectFrom('identity_providers').selectAll().orderBy('name').execute()).map(toProvider) };
}

export async function getProvider(db: Executor, id: string) {
  const row = await db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`identity provider ${id} does not exist`);
  return toProvider(row);
}

export async function createProvider(platform: Platform, body: Static<typeof CreateIdentityProviderBody>) {
  // Kept exactly as given: `iss` must match it character for character (Entra ID and Auth0 end theirs with '/').
  const issuer = body.issuer;
  const result = await platform.store.db.transaction().execute(async (tx) => {
    const row = await withDatabaseErrors(`identity provider ${body.name} or issuer ${issuer}`, () =>
      tx
        .insertInto('identity_providers')
        .values({ id: randomUUID(), name: body.name, issuer, audience: body.audience, username_claim: body.usernameClaim ?? 'preferred_username', groups_claim: body.groupsClaim ?? null, email_claim: body.emailClaim ?? 'email', enabled: body.enabled ?? true, updated_at: new Date() })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    await platform.outbox.publish(tx, { type: IamEvents.identityProviderChanged, subject: `identity-providers/${row.id}`, data: { identityProviderId: row.id, name: row.name, issuer: row.issuer } });
    return toProvider(row);
  });
  platform.authenticator.invalidate();
  return result;
}

export async function updateProvider(platform: Platform, id: string, body: Static<typeof UpdateIdentityProviderBody>) {
  const result = await platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('identity_providers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`identity provider ${id} does not exist`);
    const row = await tx
      .updateTable('identity_providers')
      .set({
        ...(body.audience !== undefined ? { audience: body.audience } : {}),
        ...(body.usernameClaim !== undefined ? { username_claim: body.usernameClaim } : {}),
        ...(body.groupsClaim !== undefined ? { groups_claim: body.groupsClaim } : {}),
        ...(body.emailClaim !== undefined ? { email_claim: body.emailClaim } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        updated_at: new Date(),
        version: current.version + 1,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await platform.outbox.publish(tx, { type: IamEvents.identityProviderChanged, subject: `identity-providers/${id}`, data: { identityProviderId: id, name: row.name, issuer: row.issuer } });
    return toProvider(row);
  });
  platform.authenticator.invalidate();
  return result;
}

export async function deleteProvider(platform: Platform, id: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const row = await tx.deleteFrom('identity_providers').where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new NotFoundError(`identity provider ${id} does not exist`);
    // Users it created stay (their audit history and grants matter) but can no longer sign in through it.
    await platform.outbox.publish(tx, { type: IamEvents.identityProviderChanged, subject: `identity-providers/${id}`, data: { identityProviderId: id, name: row.name, issuer: row.issuer } });
  });
  platform.authenticator.invalidate();
}
