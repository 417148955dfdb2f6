import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { isUniqueViolation, type Db, type IdentityProviderRow, type Tx } from '../db/index.js';
import { UnauthenticatedError } from '../errors/index.js';
import type { Outbox } from '../events/index.js';
import { IamEvents } from './iam-events.js';
import { readClaim } from './oidc.js';
import type { AuthMethod, Principal } from './principal.js';

async function groupNames(db: Db | Tx, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('groups.name')
    .where('group_members.user_id', '=', userId)
    .orderBy('groups.name')
    .execute();
  return rows.map((r) => r.name);
}

/** A user as a principal, or a 401 saying why it cannot act (gone, deactivated). */
export async function loadUserPrincipal(db: Db, userId: string, authMethod: AuthMethod, issuer: string): Promise<Principal> {
  const user = await db.selectFrom('users').select(['id', 'username', 'is_admin', 'active']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new UnauthenticatedError('the user this credential belongs to no longer exists');
  if (!user.active) throw new UnauthenticatedError('the user this credential belongs to is deactivated');
  return { kind: 'user', id: user.id, name: user.username, isAdmin: user.is_admin, groups: await groupNames(db, user.id), authMethod, issuer };
}

export async function loadServiceAccountPrincipal(db: Db, id: string, issuer: string): Promise<Principal> {
  const sa = await db.selectFrom('service_accounts').select(['id', 'name', 'is_admin', 'active']).where('id', '=', id).executeTakeFirst();
  if (!sa) throw new UnauthenticatedError('the service account this credential belongs to no longer exists');
  if (!sa.active) throw new UnauthenticatedError('the service account this credential belongs to is deactivated');
  return { kind: 'service_account', id: sa.id, name: sa.name, isAdmin: sa.is_admin, groups: [], authMethod: 'access_token', issuer };
}

/**
 * A user from an external identity provider: created on first sight, group memberships made to follow the groups
 * claim (only memberships that came from the provider are touched; ones an admin made stay). Writes only on change.
 */
/** A concurrent request provisioned the same user first; the retry finds it. */
class LostProvisioningRace extends Error {}

export async function provisionExternalUser(db: Db, outbox: Outbox, provider: IdentityProviderRow, payload: JWTPayload): Promise<Principal> {
  // A user's first requests often arrive together: one transaction creates the user or group, the others hit the
  // unique index. Retried, they find what the winner created.
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionOnce(db, outbox, provider, payload);
    } catch (err) {
      const lostRace = err instanceof LostProvisioningRace || isUniqueViolation(err);
      if (!lostRace || attempt >= 3) throw err;
    }
  }
}

async function provisionOnce(db: Db, outbox: Outbox, provider: IdentityProviderRow, payload: JWTPayload): Promise<Principal> {
  const subject = payload.sub;
  if (!subject) throw new UnauthenticatedError('token has no subject');
  const usernameClaim = readClaim(payload, provider.username_claim);
  if (typeof usernameClaim !== 'string' || usernameClaim.length === 0) {
    throw new UnauthenticatedError(`token has no ${provider.username_claim} claim to use as the username`);
  }
  const username = usernameClaim.toLowerCase();
  const emailClaim = provider.email_claim ? readClaim(payload, provider.email_claim) : undefined;
  const email = typeof emailClaim === 'string' ? emailClaim : null;
  let desiredGroups: string[] | undefined;
  if (provider.groups_claim) {
    const raw = readClaim(payload, provider.groups_claim);
    // Keycloak sends group paths ("/analysts"); the group is the last segment.
    desiredGroups = Array.isArray(raw) ? [...new Set(raw.filter((g): g is string => typeof g === 'string' && g.length > 0).map((g) => g.split('/').filter(Boolean).pop() ?? g))] : [];
  }

  return db.transaction().execute(async (tx) => {
    let user = await tx.selectFrom('users').selectAll().where('idp_id', '=', provider.id).where('external_subject', '=', subject).executeTakeFirst();
    if (!user) {
      const clash = await tx.selectFrom('users').select(['id', 'idp_id', 'external_subject']).where((eb) => eb(eb.fn('lower', ['username']), '=', username)).executeTakeFirst();
      // The clash may be this very user, committed by a concurrent first request since our lookup above.
      if (clash && clash.idp_id === provider.id && clash.external_subject === subject) throw new LostProvisioningRace();
      if (clash) throw new UnauthenticatedError(`username ${username} already belongs to another account; it cannot be taken over by ${provider.name}`);
      user = await tx
        .insertInto('users')
        .values({ id: randomUUID(), username, email, display_name: typeof payload['name'] === 'string' ? payload['name'] : null, source: 'oidc', idp_id: provider.id, external_subject: subject, password_hash: null, updated_at: new Date(), locked_until: null, last_login_at: new Date() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await outbox.publish(tx, { type: IamEvents.userCreated, subject: `users/${user.id}`, data: { userId: user.id, username, source: 'oidc' } });
    } else if (user.email !== email && email !== null) {
      await tx.updateTable('users').set({ email, updated_at: new Date(), version: (eb) => eb('version', '+', 1) }).where('id', '=', user.id).execute();
    }
    if (!user.active) throw new UnauthenticatedError('the user this credential belongs to is deactivated');
    if (desiredGroups) await syncProviderGroups(tx, outbox, user.id, desiredGroups);
    return { kind: 'user', id: user.id, name: user.username, isAdmin: user.is_admin, groups: await groupNames(tx, user.id), authMethod: 'oidc', issuer: provider.issuer } satisfies Principal;
  });
}

async function syncProviderGroups(tx: Tx, outbox: Outbox, userId: string, desired: string[]): Promise<void> {
  const current = await tx
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name', 'group_members.source'])
    .where('group_members.user_id', '=', userId)
    .execute();
  const desiredLower = new Set(desired.map((g) => g.toLowerCase()));
  const currentLower = new Set(current.map((g) => g.name.toLowerCase()));
  for (const row of current) {
    if (row.source === 'oidc' && !desiredLower.has(row.name.toLowerCase())) {
      await tx.deleteFrom('group_members').where('group_id', '=', row.id).where('user_id', '=', userId).execute();
      await outbox.publish(tx, { type: IamEvents.membershipChanged, subject: `groups/${row.id}`, data: { groupId: row.id, userId, change: 'removed', source: 'oidc' } });
    }
  }
  for (const name of desired) {
    if (currentLower.has(name.toLowerCase())) continue;
    let group = await tx.selectFrom('groups').select(['id', 'name']).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
    if (!group) {
      group = await tx.insertInto('groups').values({ id: randomUUID(), name, description: `Created from identity provider claims`, source: 'oidc', updated_at: new Date() }).returning(['id', 'name']).executeTakeFirstOrThrow();
      await outbox.publish(tx, { type: IamEvents.groupCreated, subject: `groups/${group.id}`, data: { groupId: group.id, name: group.name } });
    }
    await tx.insertInto('group_members').values({ group_id: group.id, user_id: userId, source: 'oidc' }).onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing()).execute();
    await outbox.publish(tx, { type: IamEvents.membershipChanged, subject: `groups/${group.id}`, data: { groupId: group.id, userId, change: 'added', source: 'oidc' } });
  }
}
