import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/index.js';
import { SCOPES } from '../../shared/auth/scopes.js';
import { buildRouter } from '../../shared/http/index.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Token scopes, as a client sees them: a scoped token reaches only the route groups its scope names (403
 * insufficient_scope naming the scope it lacks, in each route's error shape), an unscoped one its principal's full
 * rights; grants refuse unknown scopes and never widen one on renewal.
 */

/** One read of each route group, as an admin may call it; the scope a token needs for it. */
const GROUP_READS: Array<{ group: string; path: string }> = [
  { group: 'catalog', path: '/api/v1/warehouses' },
  { group: 'iam', path: '/api/v1/users' },
  { group: 'policies', path: '/api/v1/policies' },
  { group: 'jobs', path: '/api/v1/jobs' },
  { group: 'jobs', path: '/api/v1/runs' },
  { group: 'lakehouses', path: '/api/v1/lakehouses' },
  { group: 'sql', path: '/api/v1/sql/history' },
  { group: 'events', path: '/api/v1/events/dead-letters' },
  { group: 'webhooks', path: '/api/v1/webhooks' },
];

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe.each(backends())('token scopes on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let root: string;
  let client: { clientId: string; clientSecret: string };

  const token = (fields: Record<string, string>) => p.call('POST', '/api/v1/auth/token', form(fields));
  /** An access token of the admin service account with this scope. */
  const scoped = async (scope: string) => {
    const r = await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.scope).toBe(scope);
    return r.body.access_token as string;
  };

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-scopes-'));
    expect((await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } })).status).toBe(201);
    expect((await p.call('POST', '/iceberg/v1/wh/namespaces', { token: admin, body: { namespace: ['sales'] } })).status).toBe(200);
    const table = { name: 'orders', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } };
    expect((await p.call('POST', '/iceberg/v1/wh/namespaces/sales/tables', { token: admin, body: table })).status).toBe(200);
    const sa = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'scoped-bot', isAdmin: true } });
    expect(sa.status).toBe(201);
    client = sa.body.credentials;
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every mounted route resolves to a scope of the vocabulary, or is public, or open to any token', () => {
    const router = buildRouter(allFunctions, p.running);
    const wrong = router.routes.filter(
      (m) => m.scopes !== 'public' && m.scopes !== 'any' && (m.scopes.length === 0 || m.scopes.some((s) => !SCOPES.includes(s))),
    );
    expect(wrong.map((m) => `${m.functionName} ${m.route.method} ${m.route.path}: ${JSON.stringify(m.scopes)}`)).toEqual([]);
    const scopeOf = (method: string, routePath: string) => router.routes.find((m) => m.route.method === method && m.route.path === routePath)?.scopes;
    expect(scopeOf('GET', '/iceberg/v1/:prefix/namespaces/:namespace/tables/:table')).toEqual(['catalog:read']);
    expect(scopeOf('POST', '/iceberg/v1/:prefix/namespaces/:namespace/tables')).toEqual(['catalog']);
    expect(scopeOf('GET', '/api/v1/runs')).toEqual(['jobs:read']);
    expect(scopeOf('GET', '/api/v1/me')).toBe('any');
    expect(scopeOf('POST', '/api/v1/auth/token')).toBe('public');
  });

  it('a catalog token loads tables and is refused, naming the scope, on every other route group', async () => {
    const catalog = await scoped('catalog');
    expect(decodeJwt(catalog).scope).toBe('catalog');
    const load = await p.call('GET', '/iceberg/v1/wh/namespaces/sales/tables/orders', { token: catalog });
    expect(load.status).toBe(200);
    expect(load.body.metadata['table-uuid']).toBeTruthy();
    expect((await p.call('POST', '/iceberg/v1/wh/namespaces', { token: catalog, body: { namespace: ['scratch'] } })).status).toBe(200);
    for (const { group, path: route } of GROUP_READS) {
      const r = await p.call('GET', route, { token: catalog });
      if (group === 'catalog') {
        expect(r.status, route).toBe(200);
        continue;
      }
      expect(r.status, route).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ type: 'https://lakeplane.dev/problems/insufficient-scope', status: 403, requiredScopes: [`${group}:read`] });
      expect(r.body.detail).toContain(`${group}:read`);
      expect(r.headers.get('www-authenticate')).toMatch(new RegExp(`error="insufficient_scope".*scope="${group}:read"`));
    }
    // Nothing was changed by a refused write either.
    const refused = await p.call('POST', '/api/v1/users', { token: catalog, body: { username: 'sneaky', password: 'sneaky-password-1' } });
    expect(refused.status).toBe(403);
    expect((await p.call('GET', '/api/v1/users', { token: admin })).body.items.map((u: { username: string }) => u.username)).not.toContain('sneaky');
  });

  it("the reverse: each group's token reaches its own group and gets 403 on the catalog, in Iceberg's error shape", async () => {
    for (const { group, path: route } of GROUP_READS) {
      if (group === 'catalog') continue;
      const t = await scoped(group);
      expect((await p.call('GET', route, { token: t })).status, `${group} ${route}`).toBe(200);
      const load = await p.call('GET', '/iceberg/v1/wh/namespaces/sales/tables/orders', { token: t });
      expect(load.status, group).toBe(403);
      expect(load.body.error).toMatchObject({ type: 'ForbiddenException', code: 403 });
      expect(load.body.error.message).toContain('catalog:read');
      const other = GROUP_READS.find((g) => g.group !== group && g.group !== 'catalog')!;
      expect((await p.call('GET', other.path, { token: t })).status, `${group} on ${other.path}`).toBe(403);
    }
  });

  it('a read-only scope reads its group and may not change it', async () => {
    const reader = await scoped('catalog:read');
    expect((await p.call('GET', '/iceberg/v1/wh/namespaces/sales/tables/orders', { token: reader })).status).toBe(200);
    const create = await p.call('POST', '/iceberg/v1/wh/namespaces', { token: reader, body: { namespace: ['nope'] } });
    expect(create.status).toBe(403);
    expect(create.body.error.message).toMatch(/needs scope catalog\b/);
    expect((await p.call('GET', '/iceberg/v1/wh/namespaces/nope', { token: admin })).status).toBe(404);
    const both = await scoped('iam:read jobs');
    expect((await p.call('GET', '/api/v1/users', { token: both })).status).toBe(200);
    expect((await p.call('POST', '/api/v1/groups', { token: both, body: { name: 'nope' } })).status).toBe(403);
    expect((await p.call('GET', '/api/v1/jobs', { token: both })).status).toBe(200);
  });

  it("an unscoped token keeps its principal's full rights; any token may ask who it is", async () => {
    const full = await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(full.body.scope).toBeUndefined();
    for (const { path: route } of GROUP_READS) expect((await p.call('GET', route, { token: full.body.access_token })).status, route).toBe(200);
    const me = await p.call('GET', '/api/v1/me', { token: await scoped('sql:read') });
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('scoped-bot');
  });

  it('an unknown scope is invalid_scope at the token endpoint, naming it', async () => {
    const r = await token({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'catalog PRINCIPAL_ROLE:ALL',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
    expect(r.body.error_description).toContain('PRINCIPAL_ROLE:ALL');
    const iceberg = await p.call(
      'POST',
      '/iceberg/v1/oauth/tokens',
      form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'everything' }),
    );
    expect(iceberg.status).toBe(400);
    expect(iceberg.body.error).toBe('invalid_scope');
  });

  it("renewing never widens a scope: refresh keeps the first grant's, token exchange the subject token's", async () => {
    const login = await token({ grant_type: 'password', username: 'admin', password: 'admin-password-for-tests', scope: 'catalog' });
    expect(login.status).toBe(200);
    expect(login.body.scope).toBe('catalog');
    const wider = await token({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, scope: 'catalog iam' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    // The refused request did not spend the refresh token.
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe('catalog');
    expect((await p.call('GET', '/api/v1/users', { token: refreshed.body.access_token })).status).toBe(403);
    const narrower = await token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, scope: 'catalog:read' });
    expect(narrower.body.scope).toBe('catalog:read');
    // The family keeps the first grant's ceiling: narrowing once does not lose catalog for the next renewal.
    expect((await token({ grant_type: 'refresh_token', refresh_token: narrower.body.refresh_token })).body.scope).toBe('catalog');

    const exchange = (subject: string, scope?: string) =>
      token({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subject,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        ...(scope ? { scope } : {}),
      });
    const catalog = await scoped('catalog');
    expect((await exchange(catalog)).body.scope).toBe('catalog');
    expect((await exchange(catalog, 'catalog')).body.scope).toBe('catalog');
    const escalate = await exchange(catalog, 'iam');
    expect(escalate.status).toBe(400);
    expect(escalate.body.error).toBe('invalid_scope');
    const unscoped = await exchange(admin, 'iam:read');
    expect(unscoped.body.scope).toBe('iam:read');
  });

  it('a personal access token may carry a scope, never wider than the token minting it', async () => {
    const pat = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'catalog only', scope: 'catalog' } });
    expect(pat.status).toBe(201);
    expect(pat.body.scope).toBe('catalog');
    expect((await p.call('GET', '/iceberg/v1/wh/namespaces/sales/tables/orders', { token: pat.body.token })).status).toBe(200);
    expect((await p.call('GET', '/api/v1/users', { token: pat.body.token })).status).toBe(403);
    const bad = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'bad', scope: 'catalog root' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'scope', message: expect.stringContaining('root') })]);
    const login = await token({ grant_type: 'password', username: 'admin', password: 'admin-password-for-tests', scope: 'iam' });
    const inherited = await p.call('POST', '/api/v1/tokens', { token: login.body.access_token, body: { name: 'inherits' } });
    expect(inherited.status).toBe(201);
    expect(inherited.body.scope).toBe('iam');
    const wider = await p.call('POST', '/api/v1/tokens', { token: login.body.access_token, body: { name: 'wider', scope: 'catalog' } });
    expect(wider.status).toBe(400);
    expect(wider.body.errors[0].field).toBe('scope');
    const unscoped = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'full' } });
    expect(unscoped.body.scope).toBeNull();
  });

  it('discovery lists the scopes', async () => {
    const d = await p.call('GET', '/.well-known/openid-configuration');
    expect(d.body.scopes_supported).toEqual(SCOPES);
  });
});
