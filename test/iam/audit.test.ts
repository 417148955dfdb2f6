import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

describe.each(backends())('audit trail on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
  });
  afterAll(() => p?.close());

  it('records every mutating and every denied request with who, what, which resource, outcome and request id', async () => {
    const created = await p.call('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'liz', password: 'liz-password-12' },
      headers: { 'x-request-id': 'req-create-liz' },
    });
    const liz = (await p.login('liz', 'liz-password-12')).body.access_token;
    await p.call('GET', '/api/v1/users', { token: liz, headers: { 'x-request-id': 'req-denied' } });
    await p.call('PATCH', `/api/v1/users/${created.body.id}`, { token: liz, body: { isAdmin: true }, headers: { 'x-request-id': 'req-escalate' } });
    await p.call('GET', '/api/v1/me', { token: 'forged', headers: { 'x-request-id': 'req-unauth' } });
    await p.call('GET', '/api/v1/me', { token: liz, headers: { 'x-request-id': 'req-read' } });

    const trail = (await p.call('GET', '/api/v1/audit?pageSize=200', { token: admin })).body.items as any[];
    const byRequest = new Map(trail.map((r) => [r.requestId, r]));
    expect(byRequest.get('req-create-liz')).toMatchObject({
      action: 'iam.createUser',
      resource: `iam/users/${created.body.id}`,
      outcome: 'success',
      status: 201,
      method: 'POST',
      function: 'iam',
      principal: { name: 'admin', kind: 'user' },
    });
    expect(byRequest.get('req-denied')).toMatchObject({ action: 'iam.listUsers', outcome: 'denied', status: 403, principal: { name: 'liz' } });
    // A refused change keeps what it asked for.
    expect(byRequest.get('req-escalate')).toMatchObject({
      action: 'iam.updateUser',
      resource: `iam/users/${created.body.id}`,
      outcome: 'denied',
      status: 403,
      detail: 'fields=isAdmin',
    });
    expect(byRequest.get('req-unauth')).toMatchObject({ action: 'iam.me', outcome: 'denied', status: 401, principal: null });
    expect(byRequest.has('req-read')).toBe(false);
    // Logins are audited without their secrets.
    const logins = trail.filter((r) => r.action === 'iam.token');
    expect(logins.length).toBeGreaterThan(0);
    expect(JSON.stringify(logins)).not.toContain('liz-password-12');
  });

  it('filters and pages newest first', async () => {
    for (let i = 0; i < 5; i++) await p.call('POST', '/api/v1/groups', { token: admin, body: { name: `audited-${i}` } });
    const first = await p.call('GET', '/api/v1/audit?action=iam.createGroup&pageSize=3', { token: admin });
    expect(first.body.items).toHaveLength(3);
    expect(first.body.items[0].resource).toMatch(/^iam\/groups\//);
    const second = await p.call('GET', `/api/v1/audit?action=iam.createGroup&pageSize=3&pageToken=${first.body.nextPageToken}`, { token: admin });
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextPageToken).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((r: { id: string }) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const denied = await p.call('GET', '/api/v1/audit?outcome=denied', { token: admin });
    expect(denied.body.items.every((r: { outcome: string }) => r.outcome === 'denied')).toBe(true);
    const since = await p.call('GET', `/api/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin });
    expect(since.body.items).toEqual([]);
    expect((await p.call('GET', '/api/v1/audit?outcome=maybe', { token: admin })).status).toBe(400);
  });
});
