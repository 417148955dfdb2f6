// The gateway through real HTTP: each function served by its own server on one PostgreSQL database, the gateway in
// front. Every path of /openapi.json reaches the function that declares it; what must stay inside the cluster is
// refused at the edge; rate limits; request ids; a function that is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/index.js';
import type { RunningGateway } from '../../functions/gateway/index.js';
import { ADMIN_PASSWORD, startPlatform, type TestPlatform } from '../support/platform.js';
import { serveFunction, serveGateway, ISSUER, type FunctionServer, type Hit } from './gateway-support.js';

const SOME_ID = '00000000-0000-4000-8000-000000000000';

describe('the gateway in front of one server per function (PostgreSQL)', () => {
  let embedded: TestPlatform;
  let servers: FunctionServer[] = [];
  let gateway: RunningGateway;
  const hits: Hit[] = [];
  let adminToken: string;

  const call = async (method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token) headers['authorization'] = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(gateway.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

  beforeAll(async () => {
    // The embedded platform makes the database (migrations, the admin) and serves the document to compare with.
    embedded = await startPlatform('postgres', { env: { LAKEPLANE_ISSUER: ISSUER } });
    const databaseUrl = embedded.running.platform.config.DATABASE_URL as string;
    for (const fn of allFunctions) servers.push(await serveFunction(fn, databaseUrl, hits));
    gateway = await serveGateway(allFunctions, databaseUrl, Object.fromEntries(servers.map((s) => [s.name, s.url])), {
      LAKEPLANE_GATEWAY_ANONYMOUS_RATE: '0',
    });
    const login = await fetch(`${gateway.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    expect(login.status).toBe(200);
    adminToken = ((await login.json()) as any).access_token;
  });

  afterAll(async () => {
    await gateway?.close();
    await gateway?.stop();
    for (const s of servers) {
      await s.server.close().catch(() => undefined);
      await s.running.stop();
    }
    servers = [];
    await embedded?.close();
  });

  it('serves the platform’s whole OpenAPI document, as the embedded server does', async () => {
    const viaGateway = await call('GET', '/openapi.json');
    const direct = await embedded.call('GET', '/openapi.json');
    expect(viaGateway.status).toBe(200);
    // The probes and contracts are the gateway's own there, the process's ("platform") in embedded mode.
    const normalize = (doc: any) => {
      const copy = structuredClone(doc);
      for (const ops of Object.values(copy.paths) as any[])
        for (const op of Object.values(ops) as any[]) if (op['x-lakeplane-function'] === 'gateway') op['x-lakeplane-function'] = 'platform';
      return copy;
    };
    expect(normalize(viaGateway.body)).toEqual(direct.body);
  });

  it('routes every path of /openapi.json to the function that declares it', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const cases: Array<{ method: string; path: string; owner: string }> = [];
    for (const [template, ops] of Object.entries(doc.paths) as Array<[string, Record<string, any>]>) {
      for (const [method, op] of Object.entries(ops)) {
        const owner = op['x-lakeplane-function'] as string;
        // Refused at the edge, tested below; the gateway's own routes do not leave it.
        if (template.startsWith('/cloudevents/') || op.operationId === 'lakehouses.agentReport' || owner === 'gateway') continue;
        cases.push({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, SOME_ID), owner });
      }
    }
    expect(cases.length).toBeGreaterThan(100);
    // Every function that declares routes (the scheduler only takes events).
    expect(new Set(cases.map((c) => c.owner))).toEqual(new Set(allFunctions.filter((f) => f.routes.length > 0).map((f) => f.name)));
    const misrouted: string[] = [];
    for (const [i, c] of cases.entries()) {
      const requestId = `sweep-${i}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(c.method) ? '{}' : undefined;
      const response = await fetch(gateway.url + c.path, {
        method: c.method,
        headers: { 'x-request-id': requestId, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      });
      await response.arrayBuffer();
      const seen = hits.filter((h) => h.headers['x-request-id'] === requestId).map((h) => h.function);
      if (seen.length !== 1 || seen[0] !== c.owner)
        misrouted.push(`${c.method} ${c.path}: expected ${c.owner}, reached ${seen.join(', ') || 'nothing'} (${response.status})`);
      expect(response.headers.get('x-request-id')).toBe(requestId);
    }
    expect(misrouted).toEqual([]);
  });

  it('refuses CloudEvents from outside, and agent reports without their workload token, before any function sees them', async () => {
    const before = hits.length;
    const event = await call('POST', '/cloudevents/jobs', { body: {}, headers: { 'ce-id': '1', 'ce-type': 'x', 'ce-source': '/x', 'ce-specversion': '1.0' } });
    expect(event.status).toBe(403);
    expect(event.headers.get('content-type')).toContain('application/problem+json');
    expect(event.body.detail).toMatch(/inside the cluster/);
    const report = await call('POST', `/api/v1/lakehouses/${SOME_ID}/agent-report`, { token: adminToken, body: { openSessions: 0, runningStatements: 0 } });
    expect(report.status, JSON.stringify(report.body)).toBe(401);
    expect(report.body.detail).toMatch(/workload token/);
    expect(hits.length).toBe(before);
    // With a workload token's form it goes on; the lakehouses function checks the token itself.
    const withToken = await call('POST', `/api/v1/lakehouses/${SOME_ID}/agent-report`, {
      token: 'lplh_abcdefghijklmnopqrstuvwxyz012345',
      body: { openSessions: 0, runningStatements: 0 },
    });
    expect(withToken.status).toBe(401);
    expect(hits.at(-1)?.function).toBe('lakehouses');
  });

  it('limits a token that carries maxRequestsPerSecond, with Retry-After and the RateLimit headers', async () => {
    const refused = await call('POST', '/api/v1/tokens', { token: adminToken, body: { name: 'too-fast', maxRequestsPerSecond: 0 } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: any) => e.field)).toContain('maxRequestsPerSecond');

    const created = await call('POST', '/api/v1/tokens', { token: adminToken, body: { name: 'slow', maxRequestsPerSecond: 2 } });
    expect(created.status).toBe(201);
    expect(created.body.maxRequestsPerSecond).toBe(2);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 4; i++) {
      const r = await call('GET', '/api/v1/me', { token: created.body.token });
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
      else expect(r.headers.get('ratelimit-policy')).toBe('"principal";q=2;w=1');
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.headers.get('ratelimit-policy')).toBe('"principal";q=2;w=1');
    expect(limited?.headers.get('ratelimit')).toMatch(/^"principal";r=0;t=\d+$/);
    expect(limited?.body.type).toMatch(/too-many-requests$/);
    // The admin's own token carries no ceiling.
    for (let i = 0; i < 5; i++) expect((await call('GET', '/api/v1/me', { token: adminToken })).status).toBe(200);

    const account = await call('POST', '/api/v1/service-accounts', { token: adminToken, body: { name: 'limited-robot', maxRequestsPerSecond: 1 } });
    expect(account.status).toBe(201);
    expect(account.body.serviceAccount.maxRequestsPerSecond).toBe(1);
    const basic = `Basic ${Buffer.from(`${account.body.credentials.clientId}:${account.body.credentials.clientSecret}`).toString('base64')}`;
    const tokenFor = await fetch(`${gateway.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    // The client-credentials grant itself counted: the account's next request is refused at once.
    expect(tokenFor.status).toBe(200);
    const robot = ((await tokenFor.json()) as any).access_token;
    expect((await call('GET', '/api/v1/me', { token: robot })).status).toBe(429);
    const cleared = await call('PATCH', `/api/v1/service-accounts/${account.body.serviceAccount.id}`, {
      token: adminToken,
      body: { maxRequestsPerSecond: null },
    });
    expect(cleared.body.maxRequestsPerSecond).toBeNull();
  });

  it('gives every request an id, takes a sane one from the client, and forwards it with X-Forwarded-*', async () => {
    const given = await fetch(`${gateway.url}/api/v1/me`, { headers: { authorization: `Bearer ${adminToken}`, 'x-request-id': 'client-chosen-42' } });
    expect(given.headers.get('x-request-id')).toBe('client-chosen-42');
    const upstream = hits.filter((h) => h.headers['x-request-id'] === 'client-chosen-42');
    expect(upstream.map((h) => h.function)).toEqual(['iam']);
    expect(upstream[0]!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(upstream[0]!.headers['x-forwarded-proto']).toBe('http');
    expect(upstream[0]!.headers['x-forwarded-host']).toBe(new URL(gateway.url).host);

    const insane = await fetch(`${gateway.url}/api/v1/me`, { headers: { authorization: `Bearer ${adminToken}`, 'x-request-id': 'no spaces allowed' } });
    const id = insane.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(hits.filter((h) => h.headers['x-request-id'] === id).map((h) => h.function)).toEqual(['iam']);
  });

  it('answers 503 with a problem naming a function that is down, and serves the others', async () => {
    const webhooks = servers.find((s) => s.name === 'webhooks')!;
    await webhooks.server.close();
    const down = await call('GET', '/api/v1/webhooks', { token: adminToken });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.body.detail).toMatch(/webhooks function/);
    expect(down.headers.get('x-request-id')).toBeTruthy();
    expect((await call('GET', '/api/v1/me', { token: adminToken })).status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/lakeplane_gateway_upstream_failures_total\{function="webhooks",status="503"\} 1/);
  });
});
