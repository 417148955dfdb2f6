import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** Personal access tokens and service accounts: shown once, stored as hashes, revocable, rotatable. */
describe.each(backends())('personal access tokens and service accounts on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let kim: { id: string };
  let kimToken: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    kim = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'kim', password: 'kim-password-12' } })).body;
    kimToken = (await p.login('kim', 'kim-password-12')).body.access_token;
  });
  afterAll(() => p?.close());

  it('a member mints a PAT (secret once, recognizable prefix), uses it, lists it without the secret, revokes it', async () => {
    const created = await p.call('POST', '/api/v1/tokens', { token: kimToken, body: { name: 'laptop', expiresInDays: 30 } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body.token).toMatch(/^lpat_[0-9A-Za-z]{40}$/);
    expect(created.body.prefix).toBe(created.body.token.slice(0, 11));
    expect(new Date(created.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const me = await p.call('GET', '/api/v1/me', { token: created.body.token });
    expect(me.body).toMatchObject({ name: 'kim', authentication: { method: 'personal_access_token', tokenId: created.body.id } });

    const list = await p.call('GET', '/api/v1/tokens', { token: kimToken });
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    // Last use is recorded (asynchronously, to the minute).
    await new Promise((r) => setTimeout(r, 100));
    expect((await p.call('GET', '/api/v1/tokens', { token: kimToken })).body.items[0].lastUsedAt).not.toBeNull();

    const stored = await p.running.platform.store.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(created.body.token);

    expect((await p.call('DELETE', `/api/v1/tokens/${created.body.id}`, { token: kimToken })).status).toBe(204);
    const revoked = await p.call('GET', '/api/v1/me', { token: created.body.token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toMatch(/revoked/);
    expect(revoked.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await p.call('GET', '/api/v1/tokens', { token: kimToken })).body.items).toHaveLength(0);
    expect((await p.call('GET', '/api/v1/tokens?includeRevoked=true', { token: kimToken })).body.items[0].revokedAt).not.toBeNull();
  });

  it('a PAT that was never issued, or has expired, is refused', async () => {
    expect((await p.call('GET', '/api/v1/me', { token: 'lpat_' + 'A'.repeat(40) })).status).toBe(401);
    const created = await p.call('POST', '/api/v1/tokens', { token: kimToken, body: { name: 'short-lived', expiresInDays: 1 } });
    await p.running.platform.store.db
      .updateTable('personal_access_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', created.body.id)
      .execute();
    p.running.platform.authenticator.invalidate();
    const res = await p.call('GET', '/api/v1/me', { token: created.body.token });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/expired/);
  });

  it("members cannot see or revoke other users' tokens; admins can mint for and list any user", async () => {
    const adminPat = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'ops' } });
    expect(adminPat.body.expiresAt).toBeNull();
    expect((await p.call('DELETE', `/api/v1/tokens/${adminPat.body.id}`, { token: kimToken })).status).toBe(403);
    expect((await p.call('GET', `/api/v1/tokens?userId=${(await p.call('GET', '/api/v1/me', { token: admin })).body.id}`, { token: kimToken })).status).toBe(
      403,
    );
    expect((await p.call('POST', '/api/v1/tokens', { token: kimToken, body: { name: 'x', userId: adminPat.body.userId } })).status).toBe(403);
    const forKim = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'provisioned', userId: kim.id } });
    expect(forKim.status).toBe(201);
    expect((await p.call('GET', `/api/v1/tokens?userId=${kim.id}`, { token: admin })).body.items.map((t: { name: string }) => t.name)).toContain('provisioned');
    expect((await p.call('DELETE', '/api/v1/tokens/00000000-0000-4000-8000-000000000000', { token: admin })).status).toBe(404);
    // A member cannot tell an unknown token id from someone else's.
    expect((await p.call('DELETE', '/api/v1/tokens/00000000-0000-4000-8000-000000000000', { token: kimToken })).status).toBe(403);
  });

  it('a token request that cannot be answered is refused as such before the policies are asked', async () => {
    // Without expiresInDays the policies would refuse a member's token (403): the unknown scope is the answer.
    const unknownScope = await p.call('POST', '/api/v1/tokens', { token: kimToken, body: { name: 'odd', scope: 'nonsense' } });
    expect(unknownScope.status).toBe(400);
    expect(JSON.stringify(unknownScope.body)).toContain('nonsense is not a scope');
  });

  it('service accounts: client secret once, rotation keeps the old secret until revoked, deactivation stops tokens', async () => {
    const created = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'ingest-bot', description: 'Loads files' } });
    expect(created.status).toBe(201);
    const sa = created.body.serviceAccount;
    const first = created.body.credentials;
    expect(first.clientId).toBe(sa.clientId);
    expect(first.clientSecret).toMatch(/^lpcs_/);
    expect(JSON.stringify((await p.call('GET', `/api/v1/service-accounts/${sa.id}`, { token: admin })).body)).not.toContain(first.clientSecret);

    const grant = (secret: string) =>
      fetch(`${p.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: first.clientId, client_secret: secret }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    const rotated = await p.call('POST', `/api/v1/service-accounts/${sa.id}/secrets`, { token: admin, body: {} });
    expect(rotated.status).toBe(201);
    expect((await grant(first.clientSecret)).status).toBe(200);
    expect((await grant(rotated.body.clientSecret)).status).toBe(200);

    expect((await p.call('DELETE', `/api/v1/service-accounts/${sa.id}/secrets/${first.secretId}`, { token: admin })).status).toBe(204);
    expect((await grant(first.clientSecret)).status).toBe(401);
    const third = await p.call('POST', `/api/v1/service-accounts/${sa.id}/secrets`, { token: admin, body: { revokeExisting: true } });
    expect((await grant(rotated.body.clientSecret)).status).toBe(401);
    const live = await grant(third.body.clientSecret);
    expect(live.status).toBe(200);

    expect((await p.call('PATCH', `/api/v1/service-accounts/${sa.id}`, { token: admin, body: { active: false } })).status).toBe(200);
    expect((await p.call('GET', '/api/v1/me', { token: live.body.access_token })).status).toBe(401);
    expect((await grant(third.body.clientSecret)).body.error).toBe('invalid_client');

    expect((await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'ingest-bot' } })).status).toBe(409);
    expect((await p.call('DELETE', `/api/v1/service-accounts/${sa.id}`, { token: admin })).status).toBe(204);
    expect((await p.call('GET', `/api/v1/service-accounts/${sa.id}`, { token: admin })).status).toBe(404);
  });

  it('an admin service account can administer; a plain one cannot', async () => {
    const created = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'ops-bot', isAdmin: true } });
    const tok = await fetch(`${p.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: created.body.credentials.clientId,
        client_secret: created.body.credentials.clientSecret,
      }),
    }).then((r) => r.json() as Promise<any>);
    expect((await p.call('GET', '/api/v1/users', { token: tok.access_token })).status).toBe(200);
    expect((await p.call('POST', '/api/v1/tokens', { token: tok.access_token, body: { name: 'nope' } })).status).toBe(403);
    const plain = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'plain-bot' } });
    const plainTok = await fetch(`${p.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: plain.body.credentials.clientId,
        client_secret: plain.body.credentials.clientSecret,
      }),
    }).then((r) => r.json() as Promise<any>);
    expect((await p.call('GET', '/api/v1/users', { token: plainTok.access_token })).status).toBe(403);
    // A service account is told why it gets no personal access token, whatever the policies would say.
    const minted = await p.call('POST', '/api/v1/tokens', { token: plainTok.access_token, body: { name: 'nope', expiresInDays: 1 } });
    expect(minted.status).toBe(403);
    expect(minted.body.detail).toBe('service accounts use client credentials, not personal access tokens');
  });
});
