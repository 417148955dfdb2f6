import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAuditStore, type AuditRecord } from '../../shared/audit/index.js';
import {
  postgresIdentityStore,
  postgresSigningKeyStore,
  postgresThrottleStore,
  postgresTokenStore,
  ProvisioningRaceError,
  type NewSigningKey,
} from '../../shared/auth/index.js';
import { migrateToLatest, openMetadataStore, type MetadataStore } from '../../shared/db/index.js';
import { backends, createScratchDatabase } from '../support/databases.js';

/**
 * The kernel's identity stores on each backend, below the HTTP suites: the behaviour their callers rely on and do
 * not see from outside (single-use refresh tokens, unique-index races named as such, counters that expire, the
 * lock that keeps one signing key).
 */
describe.each(backends())('auth stores on %s', (backend) => {
  let store: MetadataStore;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (backend === 'postgres') {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      store = await openMetadataStore({ databaseUrl: scratch.url });
    } else {
      store = await openMetadataStore({ dataDir: 'memory://' });
    }
    await migrateToLatest(store.db);
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  async function provider(): Promise<string> {
    const id = randomUUID();
    await store.db
      .insertInto('identity_providers')
      .values({
        id,
        name: `idp-${id}`,
        issuer: `https://idp.example/${id}`,
        audience: 'lakeplane',
        username_claim: 'preferred_username',
        groups_claim: 'groups',
        email_claim: 'email',
        updated_at: new Date(),
      })
      .execute();
    return id;
  }

  it('identity: an external user is found by provider and subject, and a second creation is a provisioning race', async () => {
    const identities = postgresIdentityStore(store.db);
    const providerId = await provider();
    const name = `ext-${randomUUID().slice(0, 8)}`;
    const created = await identities.transaction((tx) =>
      tx.createExternalUser({ username: name, email: null, displayName: 'Ext', providerId, subject: 'sub-1' }),
    );
    expect(created).toEqual({ id: created.id, username: name, email: null, isAdmin: false, active: true });
    expect(await identities.findExternalUser(providerId, 'sub-1')).toEqual(created);
    expect(await identities.findUsername(name)).toEqual({ id: created.id, providerId, subject: 'sub-1' });
    await expect(
      identities.createExternalUser({ username: name.toUpperCase(), email: null, displayName: null, providerId, subject: 'sub-2' }),
    ).rejects.toBeInstanceOf(ProvisioningRaceError);
    expect((await identities.enabledProviders()).map((p) => p.id)).toContain(providerId);
  });

  it('identity: provider groups and memberships, group names sorted, and a transaction that fails leaves nothing', async () => {
    const identities = postgresIdentityStore(store.db);
    const providerId = await provider();
    const user = await identities.createExternalUser({ username: `m-${randomUUID().slice(0, 8)}`, email: null, displayName: null, providerId, subject: 'm' });
    const suffix = randomUUID().slice(0, 8);
    const beta = await identities.createProviderGroup(`beta-${suffix}`);
    const alpha = await identities.createProviderGroup(`alpha-${suffix}`);
    await expect(identities.createProviderGroup(`Beta-${suffix}`)).rejects.toBeInstanceOf(ProvisioningRaceError);
    expect(await identities.findGroupByName(`beta-${suffix}`)).toEqual(beta);
    await identities.addProviderMembership(beta.id, user.id);
    await identities.addProviderMembership(beta.id, user.id);
    await identities.addProviderMembership(alpha.id, user.id);
    expect(await identities.groupNames(user.id)).toEqual([`alpha-${suffix}`, `beta-${suffix}`]);
    expect((await identities.memberships(user.id)).map((m) => m.source)).toEqual(['oidc', 'oidc']);
    await identities.removeMembership(alpha.id, user.id);
    expect(await identities.groupNames(user.id)).toEqual([`beta-${suffix}`]);

    const failed = identities.transaction(async (tx) => {
      await tx.createProviderGroup(`gamma-${suffix}`);
      throw new Error('undone');
    });
    await expect(failed).rejects.toThrow('undone');
    expect(await identities.findGroupByName(`gamma-${suffix}`)).toBeUndefined();
    // A store handed a transaction joins it instead of opening another.
    await store.db.transaction().execute((outer) => postgresIdentityStore(outer).transaction((inner) => inner.createProviderGroup(`delta-${suffix}`)));
    expect(await identities.findGroupByName(`delta-${suffix}`)).toBeDefined();
  });

  it('tokens: a refresh token is spent once, and its family is revoked together', async () => {
    const identities = postgresIdentityStore(store.db);
    const tokens = postgresTokenStore(store.db);
    const user = await identities.createExternalUser({
      username: `r-${randomUUID().slice(0, 8)}`,
      email: null,
      displayName: null,
      providerId: await provider(),
      subject: 'r',
    });
    const familyId = randomUUID();
    const hash = `h-${randomUUID()}`;
    await tokens.createRefreshToken({ hash, familyId, owner: { userId: user.id }, expiresAt: new Date(Date.now() + 60_000), scope: 'catalog' });
    await tokens.createRefreshToken({ hash: `${hash}-2`, familyId, owner: { userId: user.id }, expiresAt: new Date(Date.now() + 60_000), scope: null });
    expect(await tokens.findRefreshToken(hash)).toEqual({ familyId, scope: 'catalog', usedAt: null, revokedAt: null });
    const [first, second] = await Promise.all([tokens.spendRefreshToken(hash), tokens.spendRefreshToken(hash)]);
    expect([first, second].filter(Boolean)).toEqual([{ familyId, userId: user.id, serviceAccountId: null, scope: 'catalog' }]);
    expect((await tokens.findRefreshToken(hash))?.usedAt).toBeInstanceOf(Date);
    await tokens.revokeRefreshTokenFamily(familyId);
    expect((await tokens.findRefreshToken(`${hash}-2`))?.revokedAt).toBeInstanceOf(Date);
    expect(await tokens.spendRefreshToken(`${hash}-2`)).toBeUndefined();
    expect(await tokens.findRefreshToken('no such hash')).toBeUndefined();
    expect(await tokens.findPersonalAccessToken('no such hash')).toBeUndefined();
    expect(await tokens.findClientSecret('no such hash')).toBeUndefined();
  });

  it('throttle: failures count per key, a block keeps its key, expired keys start again and are swept', async () => {
    const throttle = postgresThrottleStore(store.db);
    const key = `k-${randomUUID()}`;
    expect(await throttle.increment(key, 'account', 60)).toBe(1);
    expect(await throttle.increment(key, 'account', 60)).toBe(2);
    expect(await throttle.blocked([key])).toEqual([]);
    await throttle.block(key, 30);
    const [blocked] = await throttle.blocked([key, 'other']);
    expect(blocked?.key).toBe(key);
    expect(blocked?.waitSeconds).toBeGreaterThan(28);
    expect(blocked?.waitSeconds).toBeLessThanOrEqual(30);
    await throttle.forget([key]);
    expect(await throttle.blocked([key])).toEqual([]);

    const stale = `s-${randomUUID()}`;
    await throttle.increment(stale, 'address', 60);
    await store.db
      .updateTable('credential_failures')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('key', '=', stale)
      .execute();
    expect(await throttle.increment(stale, 'address', 60)).toBe(1);
    await store.db
      .updateTable('credential_failures')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('key', '=', stale)
      .execute();
    await throttle.sweepExpired(1000);
    expect(await store.db.selectFrom('credential_failures').select('key').where('key', '=', stale).executeTakeFirst()).toBeUndefined();
  });

  it('signing keys: two processes ensuring a key at once make one; rotation retires it and keeps it live', async () => {
    const keys = postgresSigningKeyStore(store.db);
    let made = 0;
    const generate = async (): Promise<NewSigningKey> => {
      made += 1;
      const kid = `test-${randomUUID()}`;
      return { kid, alg: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'x', kid }, privateJwk: { kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd', kid } };
    };
    await Promise.all([keys.ensureSigningKey(generate), keys.ensureSigningKey(generate)]);
    expect(made).toBe(1);
    const [first] = await keys.liveKeys(new Date());
    expect(first?.retiredAt).toBeNull();
    const rotated = await keys.rotate(generate);
    expect(rotated.retired).toEqual([first?.kid]);
    const live = await keys.liveKeys(new Date(Date.now() - 60_000));
    expect(live.map((k) => [k.kid, k.retiredAt === null])).toEqual([
      [rotated.kid, true],
      [first?.kid, false],
    ]);
    expect(live[0]?.publicJwk).toMatchObject({ kty: 'OKP', kid: rotated.kid });
    expect((await keys.liveKeys(new Date(Date.now() + 60_000))).map((k) => k.kid)).toEqual([rotated.kid]);
  });

  it('audit: a row of its own, or one row per group that counts its requests', async () => {
    const audit = postgresAuditStore(store.db);
    const record = (requestId: string): AuditRecord => ({
      requestId,
      principalId: null,
      principalName: null,
      principalKind: null,
      function: 'iam',
      action: 'iam:token:issue',
      resource: 'iam/token',
      outcome: 'denied',
      status: 401,
      method: 'POST',
      detail: 'wrong password',
      clientAddress: '203.0.113.9',
    });
    const group = `g-${randomUUID()}`;
    await audit.count(record('r1'), { key: group, at: new Date(Date.now() - 1000) });
    await audit.count(record('r2'), { key: group, at: new Date() });
    await audit.count(record('r3'), { key: group, at: new Date(Date.now() - 5000) });
    const rows = await store.db.selectFrom('audit_log').select(['request_id', 'occurrences', 'last_request_id']).where('aggregate_key', '=', group).execute();
    expect(rows).toEqual([{ request_id: 'r1', occurrences: 3, last_request_id: 'r3' }]);
    await audit.append(record('own'));
    await audit.append(record('own'));
    expect((await store.db.selectFrom('audit_log').select('id').where('request_id', '=', 'own').execute()).length).toBe(2);
  });
});
