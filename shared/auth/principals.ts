import type { JWTPayload } from 'jose';
import type { IdentityProviderRow, Tx } from '../db/index.js';
import { UnauthenticatedError } from '../errors/index.js';
import type { Outbox } from '../events/index.js';
import { IamEvents } from './iam-events.js';
import { ProvisioningRaceError, type IdentityStore } from './identity-store.js';
import { readClaim } from './oidc.js';
import type { AuthMethod, Principal } from './principal.js';

/** A user as a principal, or a 401 saying why it cannot act (gone, deactivated). */
export async function loadUserPrincipal(identities: IdentityStore, userId: string, authMethod: AuthMethod, issuer: string): Promise<Principal> {
  const user = await identities.findUser(userId);
  if (!user) throw new UnauthenticatedError('the user this credential belongs to no longer exists');
  if (!user.active) throw new UnauthenticatedError('the user this credential belongs to is deactivated');
  return { kind: 'user', id: user.id, name: user.username, isAdmin: user.isAdmin, groups: await identities.groupNames(user.id), authMethod, issuer };
}

export async function loadServiceAccountPrincipal(identities: IdentityStore, id: string, issuer: string): Promise<Principal> {
  const sa = await identities.findServiceAccount(id);
  if (!sa) throw new UnauthenticatedError('the service account this credential belongs to no longer exists');
  if (!sa.active) throw new UnauthenticatedError('the service account this credential belongs to is deactivated');
  return {
    kind: 'service_account',
    id: sa.id,
    name: sa.name,
    isAdmin: sa.isAdmin,
    groups: [],
    authMethod: 'access_token',
    issuer,
    ...(sa.maxRequestsPerSecond !== null ? { maxRequestsPerSecond: sa.maxRequestsPerSecond } : {}),
  };
}

/**
 * A user from an external identity provider: created on first sight, group memberships made to follow the groups
 * claim (only memberships that came from the provider are touched; ones an admin made stay). Writes only on change.
 */
export async function provisionExternalUser(identities: IdentityStore, outbox: Outbox, provider: IdentityProviderRow, payload: JWTPayload): Promise<Principal> {
  // A user's first requests often arrive together: one transaction creates the user or group, the others hit the
  // unique index (the store says so with ProvisioningRaceError). Retried, they find what the winner created.
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionOnce(identities, outbox, provider, payload);
    } catch (err) {
      if (!(err instanceof ProvisioningRaceError) || attempt >= 3) throw err;
    }
  }
}

async function provisionOnce(identities: IdentityStore, outbox: Outbox, provider: IdentityProviderRow, payload: JWTPayload): Promise<Principal> {
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
    desiredGroups = Array.isArray(raw)
      ? [...new Set(raw.filter((g): g is string => typeof g === 'string' && g.length > 0).map((g) => g.split('/').filter(Boolean).pop() ?? g))]
      : [];
  }

  return identities.transaction(async (store, tx) => {
    let user = await store.findExternalUser(provider.id, subject);
    if (!user) {
      const clash = await store.findUsername(username);
      // The clash may be this very user, committed by a concurrent first request since our lookup above.
      if (clash && clash.providerId === provider.id && clash.subject === subject)
        throw new ProvisioningRaceError('a concurrent request provisioned this user first');
      if (clash) throw new UnauthenticatedError(`username ${username} already belongs to another account; it cannot be taken over by ${provider.name}`);
      user = await store.createExternalUser({
        username,
        email,
        displayName: typeof payload['name'] === 'string' ? payload['name'] : null,
        providerId: provider.id,
        subject,
      });
      await outbox.publish(tx, { type: IamEvents.userCreated, subject: `users/${user.id}`, data: { userId: user.id, username, source: 'oidc' } });
    } else if (user.email !== email && email !== null) {
      await store.updateEmail(user.id, email);
    }
    if (!user.active) throw new UnauthenticatedError('the user this credential belongs to is deactivated');
    if (desiredGroups) await syncProviderGroups(store, tx, outbox, user.id, desiredGroups);
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      isAdmin: user.isAdmin,
      groups: await store.groupNames(user.id),
      authMethod: 'oidc',
      issuer: provider.issuer,
    } satisfies Principal;
  });
}

async function syncProviderGroups(store: IdentityStore, tx: Tx, outbox: Outbox, userId: string, desired: string[]): Promise<void> {
  const current = await store.memberships(userId);
  const desiredLower = new Set(desired.map((g) => g.toLowerCase()));
  const currentLower = new Set(current.map((g) => g.name.toLowerCase()));
  for (const row of current) {
    if (row.source === 'oidc' && !desiredLower.has(row.name.toLowerCase())) {
      await store.removeMembership(row.groupId, userId);
      await outbox.publish(tx, {
        type: IamEvents.membershipChanged,
        subject: `groups/${row.groupId}`,
        data: { groupId: row.groupId, userId, change: 'removed', source: 'oidc' },
      });
    }
  }
  for (const name of desired) {
    if (currentLower.has(name.toLowerCase())) continue;
    let group = await store.findGroupByName(name.toLowerCase());
    if (!group) {
      group = await store.createProviderGroup(name);
      await outbox.publish(tx, { type: IamEvents.groupCreated, subject: `groups/${group.id}`, data: { groupId: group.id, name: group.name } });
    }
    await store.addProviderMembership(group.id, userId);
    await outbox.publish(tx, {
      type: IamEvents.membershipChanged,
      subject: `groups/${group.id}`,
      data: { groupId: group.id, userId, change: 'added', source: 'oidc' },
    });
  }
}
