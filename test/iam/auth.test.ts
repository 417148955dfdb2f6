import { SignJWT, decodeJwt, decodeProtectedHeader, createLocalJWKSet, jwtVerify, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { ADMIN_PASSWORD, startPlatform, type TestPlatform } from '../support/platform.js';

function form(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() };
}

describe.each(backends())('OAuth2 token endpoint and JWTs on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let alice: { id: string };

  async function token(fields: Record<string, string>, headers: Record<string, string> = {}) {
    const f = form(fields, headers);
    return p.call('POST', '/api/v1/auth/token', { body: f.body, headers: f.headers });
  }

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_LOGIN_MAX_FAILURES: '3', LAKEPLANE_LOGIN_LOCKOUT_SECONDS: '2' } });
    admin = await p.adminToken();
    alice = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'alice', password: 'alice-password-1', email: 'alice@example.com' } }))
      .body;
  });
  afterAll(() => p?.close());

  it('password grant returns a Bearer JWT, a refresh token and no-store caching', async () => {
    const res = await token({ grant_type: 'password', username: 'alice', password: 'alice-password-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(res.body.refresh_token).toMatch(/^lprt_/);
    const header = decodeProtectedHeader(res.body.access_token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({ sub: alice.id, aud: 'lakeplane', preferred_username: 'alice', principal_type: 'user' });
  });

  it('the JWT verifies against the published JWKS, and discovery points at it', async () => {
    const discovery = await p.call('GET', '/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.body.token_endpoint).toMatch(/\/api\/v1\/auth\/token$/);
    expect(discovery.body.grant_types_supported).toEqual([
      'password',
      'client_credentials',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ]);
    const jwks = await p.call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
    const res = await token({ grant_type: 'password', username: 'alice', password: 'alice-password-1' });
    const { payload } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks.body), { issuer: discovery.body.issuer, audience: 'lakeplane' });
    expect(payload.sub).toBe(alice.id);
  });

  it('wrong password and unknown user both say invalid_grant in OAuth2 shape', async () => {
    for (const fields of [
      { username: 'alice', password: 'nope-nope-nope' },
      { username: 'nobody', password: 'whatever-long' },
    ]) {
      const res = await token({ grant_type: 'password', ...fields });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'username or password is wrong' });
    }
    // Reset alice's failure count.
    expect((await token({ grant_type: 'password', username: 'alice', password: 'alice-password-1' })).status).toBe(200);
  });

  it('missing fields, unknown grant types and wrong content type get OAuth2 errors', async () => {
    expect((await token({ grant_type: 'password', username: 'alice' })).body).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('password'),
    });
    expect((await token({ grant_type: 'authorization_code', code: 'x' })).body.error).toBe('unsupported_grant_type');
    expect((await token({ username: 'alice' })).body).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('grant_type') });
    const json = await p.call('POST', '/api/v1/auth/token', { body: { grant_type: 'password' } });
    expect(json.status).toBe(415);
    expect(json.body.error).toBe('invalid_request');
  });

  it('repeated failed logins are throttled with 429 and Retry-After, then recover', async () => {
    await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'mallory', password: 'mallory-password' } });
    for (let i = 0; i < 3; i++) expect((await token({ grant_type: 'password', username: 'mallory', password: 'wrong-password!' })).status).toBe(400);
    const locked = await token({ grant_type: 'password', username: 'mallory', password: 'mallory-password' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(locked.body.error_description).toMatch(/too many failed logins/);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await token({ grant_type: 'password', username: 'mallory', password: 'mallory-password' })).status).toBe(200);
  });

  it('refresh tokens rotate, and a reused one revokes its whole family', async () => {
    const first = await token({ grant_type: 'password', username: 'alice', password: 'alice-password-1' });
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect((await p.call('GET', '/api/v1/me', { token: second.body.access_token })).body.name).toBe('alice');

    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('already used') });
    // The thief's reuse also kills the legitimate holder's newer token.
    const after = await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    expect(after.status).toBe(400);
    expect(after.body.error_description).toMatch(/revoked/);
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'lprt_made_up' })).body.error).toBe('invalid_grant');
  });

  it('client_credentials works with Basic auth and with form fields, never both', async () => {
    const created = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'etl-bot' } });
    expect(created.status).toBe(201);
    const { clientId, clientSecret } = created.body.credentials;
    const basic = 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const viaHeader = await token({ grant_type: 'client_credentials', scope: 'catalog' }, { authorization: basic });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body.refresh_token).toBeUndefined();
    expect(viaHeader.body.scope).toBe('catalog');
    const me = await p.call('GET', '/api/v1/me', { token: viaHeader.body.access_token });
    expect(me.body).toMatchObject({ kind: 'service_account', name: 'etl-bot', isAdmin: false });

    const viaForm = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    expect(viaForm.status).toBe(200);
    const both = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }, { authorization: basic });
    expect(both.body.error).toBe('invalid_request');
    const wrong = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'lpcs_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('GET /api/v1/me says who, which groups and how the caller authenticated', async () => {
    const group = await p.call('POST', '/api/v1/groups', { token: admin, body: { name: 'analysts' } });
    await p.call('PUT', `/api/v1/groups/${group.body.id}/members/${alice.id}`, { token: admin });
    const login = await token({ grant_type: 'password', username: 'alice', password: 'alice-password-1' });
    const me = await p.call('GET', '/api/v1/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      kind: 'user',
      id: alice.id,
      name: 'alice',
      isAdmin: false,
      groups: ['analysts'],
      authentication: { method: 'access_token' },
    });
  });

  it('expired, forged, malformed and missing tokens get 401 with WWW-Authenticate', async () => {
    const signing = await p.running.platform.keys.signingKey();
    const issuer = p.running.platform.config.issuer;
    const expired = await new SignJWT({ principal_type: 'user', preferred_username: 'alice' })
      .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(alice.id)
      .setAudience('lakeplane')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(signing.key);
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ principal_type: 'user', preferred_username: 'admin' })
      .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(alice.id)
      .setAudience('lakeplane')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(other.privateKey);
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['expired', expired, /expired/],
      ['forged', forged, /invalid/],
      ['garbage', 'not-a-token', /well-formed/],
      ['missing', undefined, /requires a bearer token/],
    ];
    for (const [name, t, detail] of cases) {
      const res = await p.call('GET', '/api/v1/me', t ? { token: t } : {});
      expect(res.status, name).toBe(401);
      expect(res.headers.get('www-authenticate'), name).toMatch(/^Bearer realm="lakeplane"/);
      expect(res.headers.get('content-type'), name).toBe('application/problem+json');
      expect(res.body.detail, name).toMatch(detail);
    }
    const wrongScheme = await p.call('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(wrongScheme.status).toBe(401);
    expect(wrongScheme.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
  });

  it('signing keys rotate without invalidating tokens already issued', async () => {
    const before = await p.adminToken();
    const oldKid = decodeProtectedHeader(before).kid;
    const rotated = await p.call('POST', '/api/v1/auth/keys/rotate', { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body.retired).toContain(oldKid);
    const after = await p.adminToken();
    expect(decodeProtectedHeader(after).kid).toBe(rotated.body.kid);
    expect((await p.call('GET', '/api/v1/me', { token: before })).status).toBe(200);
    expect((await p.call('GET', '/api/v1/me', { token: after })).status).toBe(200);
    const kids = (await p.call('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
    const aliceToken = (await token({ grant_type: 'password', username: 'alice', password: 'alice-password-1' })).body.access_token;
    expect((await p.call('POST', '/api/v1/auth/keys/rotate', { token: aliceToken })).status).toBe(403);
  });

  it('a deactivated user is refused at login and its existing tokens stop working', async () => {
    const bob = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'bob', password: 'bob-password-12' } })).body;
    const login = await token({ grant_type: 'password', username: 'bob', password: 'bob-password-12' });
    expect((await p.call('PATCH', `/api/v1/users/${bob.id}`, { token: admin, body: { active: false } })).status).toBe(200);
    const me = await p.call('GET', '/api/v1/me', { token: login.body.access_token });
    expect(me.status).toBe(401);
    expect(me.body.detail).toMatch(/deactivated/);
    expect((await token({ grant_type: 'password', username: 'bob', password: 'bob-password-12' })).body.error).toBe('invalid_grant');
    expect((await token({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token })).body.error).toBe('invalid_grant');
  });

  it('the bootstrap admin exists with the configured password and no other default', async () => {
    expect((await p.login('admin', ADMIN_PASSWORD)).status).toBe(200);
    expect((await p.login('admin', 'admin')).status).toBe(400);
  });
});
