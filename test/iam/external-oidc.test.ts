import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from 'jose';
import { backends } from '../support/databases.js';
import { startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * External identity providers against a real OIDC issuer on loopback (discovery document + JWKS over HTTP), the way
 * Keycloak, Okta, Entra ID or Dex are reached in production.
 */
describe.each(backends())('external OIDC identity providers on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let kc: OidcIssuer;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    kc = await startOidcIssuer();
    const created = await p.call('POST', '/api/v1/identity-providers', {
      token: admin,
      body: { name: 'keycloak', issuer: kc.issuer, audience: 'lakeplane', groupsClaim: 'groups' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'keycloak', issuer: kc.issuer, usernameClaim: 'preferred_username', groupsClaim: 'groups', enabled: true });
  });
  afterAll(async () => {
    await kc?.close();
    await p?.close();
  });

  it("accepts the issuer's tokens on every route, creating the user on first sight with its groups", async () => {
    const token = await kc.mint({ sub: 'kc-1', preferred_username: 'Grace', email: 'grace@corp.example', groups: ['/analysts', 'engineers'] });
    const me = await p.call('GET', '/api/v1/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      kind: 'user',
      name: 'grace',
      isAdmin: false,
      groups: ['analysts', 'engineers'],
      authentication: { method: 'oidc', issuer: kc.issuer },
    });
    expect(kc.requests.discovery).toBeGreaterThanOrEqual(1);

    const users = await p.call('GET', '/api/v1/users?q=grace', { token: admin });
    expect(users.body.items).toHaveLength(1);
    expect(users.body.items[0]).toMatchObject({ username: 'grace', email: 'grace@corp.example' });
  });

  it('makes provider memberships follow the claim, leaving memberships an admin made', async () => {
    const first = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'kc-2', preferred_username: 'hopper', groups: ['ops', 'analysts'] }) });
    expect(first.body.groups).toEqual(['analysts', 'ops']);
    const userId = first.body.id as string;
    const local = await p.call('POST', '/api/v1/groups', { token: admin, body: { name: 'auditors' } });
    expect((await p.call('PUT', `/api/v1/groups/${local.body.id}/members/${userId}`, { token: admin })).status).toBeLessThan(300);

    const later = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'kc-2', preferred_username: 'hopper', groups: ['analysts'] }) });
    expect(later.status).toBe(200);
    expect(later.body.groups).toEqual(['analysts', 'auditors']);
  });

  it('refuses tokens it cannot trust, each with 401 and WWW-Authenticate', async () => {
    const { privateKey: forgedKey } = await generateKeyPair('RS256');
    const cases: Array<[string, string]> = [
      ['unknown issuer', await kc.mint({ sub: 'x', preferred_username: 'x' }, { issuer: 'http://127.0.0.1:1/realms/other' })],
      ['wrong audience', await kc.mint({ sub: 'x', preferred_username: 'x' }, { audience: 'someone-else' })],
      ['expired', await kc.mint({ sub: 'x', preferred_username: 'x' }, { expiresIn: -120 })],
      ['forged signature', await kc.mint({ sub: 'x', preferred_username: 'x' }, { signWith: forgedKey })],
      ['no expiry', await kc.mint({ sub: 'x', preferred_username: 'x' }, { omit: ['exp'] })],
      ['no username claim', await kc.mint({ sub: 'x' })],
    ];
    for (const [what, token] of cases) {
      const r = await p.call('GET', '/api/v1/me', { token });
      expect(r.status, what).toBe(401);
      expect(r.headers.get('www-authenticate'), what).toMatch(/^Bearer /);
      expect(r.body.type, what).toMatch(/unauthenticated$/);
    }
  });

  it('will not let a provider take over a local account with the same username', async () => {
    await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'alice', email: 'alice@corp.example', password: 'alice-password-1' } });
    const r = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'kc-alice', preferred_username: 'Alice' }) });
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/already belongs to another account/);
  });

  it("follows the issuer's key rotation by refetching its JWKS on an unknown kid", async () => {
    await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'kc-r', preferred_username: 'rotor' }) });
    const before = kc.requests.jwks;
    await kc.rotateKey();
    // The JWKS is refetched for an unknown kid at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const r = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'kc-r', preferred_username: 'rotor' }) });
    expect(r.status).toBe(200);
    expect(kc.requests.jwks).toBeGreaterThan(before);
  });

  it('creates a first-seen user once when its first requests arrive together', async () => {
    const token = await kc.mint({ sub: 'kc-c', preferred_username: 'concurrent', groups: ['brand-new-group'] });
    const answers = await Promise.all(Array.from({ length: 8 }, () => p.call('GET', '/api/v1/me', { token })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers[0]?.body.groups).toEqual(['brand-new-group']);
  });

  it('serves an issuer with a trailing slash and a nested path (Entra ID, Auth0)', async () => {
    const entra = await startOidcIssuer({ path: '/tenant-1/v2.0', trailingSlash: true });
    try {
      const created = await p.call('POST', '/api/v1/identity-providers', {
        token: admin,
        body: { name: 'entra', issuer: entra.issuer, audience: 'lakeplane' },
      });
      expect(created.status).toBe(201);
      const r = await p.call('GET', '/api/v1/me', { token: await entra.mint({ sub: 'e-1', preferred_username: 'erin' }) });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ name: 'erin', authentication: { method: 'oidc' } });
    } finally {
      await entra.close();
    }
  });

  it('disabling, deleting and re-registering a provider take effect at once', async () => {
    const dex = await startOidcIssuer({ path: '/dex' });
    try {
      const created = await p.call('POST', '/api/v1/identity-providers', { token: admin, body: { name: 'dex', issuer: dex.issuer, audience: 'lakeplane' } });
      expect((await p.call('GET', '/api/v1/me', { token: await dex.mint({ sub: 'd-1', preferred_username: 'dora' }) })).status).toBe(200);

      expect((await p.call('PATCH', `/api/v1/identity-providers/${created.body.id}`, { token: admin, body: { enabled: false } })).status).toBe(200);
      expect((await p.call('GET', '/api/v1/me', { token: await dex.mint({ sub: 'd-1', preferred_username: 'dora' }) })).status).toBe(401);

      expect((await p.call('DELETE', `/api/v1/identity-providers/${created.body.id}`, { token: admin })).status).toBe(204);
      const again = await p.call('POST', '/api/v1/identity-providers', {
        token: admin,
        body: { name: 'dex-again', issuer: dex.issuer, audience: 'new-audience', usernameClaim: 'email' },
      });
      expect(again.status).toBe(201);
      const fresh = await p.call('GET', '/api/v1/me', {
        token: await dex.mint({ sub: 'd-2', preferred_username: 'ignored', email: 'dan@dex.example' }, { audience: 'new-audience' }),
      });
      expect(fresh.status).toBe(200);
      expect(fresh.body.name).toBe('dan@dex.example');
      // The old registration's audience is no longer accepted.
      const stale = await p.call('GET', '/api/v1/me', {
        token: await dex.mint({ sub: 'd-3', preferred_username: 'zed', email: 'zed@dex.example' }, { audience: 'lakeplane' }),
      });
      expect(stale.status).toBe(401);
    } finally {
      await dex.close();
    }
  });

  it('rejects a bad provider definition naming the fields, and changes nothing', async () => {
    const r = await p.call('POST', '/api/v1/identity-providers', { token: admin, body: { name: 'Bad Name', issuer: 'not-a-url', audience: '', extra: 1 } });
    expect(r.status).toBe(400);
    const fields = (r.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['name', 'issuer', 'audience', 'extra']));
    const list = await p.call('GET', '/api/v1/identity-providers', { token: admin });
    expect(list.body.items.map((i: { name: string }) => i.name)).not.toContain('Bad Name');
  });
});
