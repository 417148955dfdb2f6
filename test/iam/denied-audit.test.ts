import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { tokenFrom } from '../support/from-address.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** Issue 19: denied requests are audited without letting anonymous traffic fill the audit table. */
interface AuditItem {
  id: string;
  at: string;
  lastAt: string;
  requestId: string | null;
  lastRequestId: string | null;
  principal: { name: string | null } | null;
  action: string;
  status: number;
  outcome: string;
  clientAddress: string | null;
  count: number;
}

describe.each(backends())('denied-request audit on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let liz: string;
  const trail = async (filter: string) => (await p.call('GET', `/api/v1/audit?pageSize=200&${filter}`, { token: admin })).body.items as AuditItem[];

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'liz', password: 'liz-password-12' } })).status).toBe(201);
    liz = (await p.login('liz', 'liz-password-12')).body.access_token;
  }, 60_000);
  afterAll(() => p?.close());

  it('1,000 anonymous 401s add O(1) records that say who, where, what and how many', async () => {
    const before = await trail('action=iam.me');
    let sent = 0;
    const worker = async () => {
      while (sent < 1000) {
        const n = sent++;
        const r = await fetch(`${p.url}/api/v1/me`, { headers: { authorization: `Bearer forged-${n}`, 'x-request-id': `flood-${n}` } });
        expect(r.status).toBe(401);
        await r.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));

    const added = (await trail('action=iam.me')).filter((r) => !before.some((b) => b.id === r.id));
    // One record per 5-minute window: two if the flood crossed a window's edge.
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.length).toBeLessThanOrEqual(2);
    expect(added.reduce((sum, r) => sum + r.count, 0)).toBe(1000);
    for (const r of added) {
      expect(r).toMatchObject({ principal: null, action: 'iam.me', status: 401, outcome: 'denied', clientAddress: '127.0.0.1' });
      expect(r.requestId).toMatch(/^flood-\d+$/);
      expect(r.lastRequestId).toMatch(/^flood-\d+$/);
      expect(Date.parse(r.lastAt)).toBeGreaterThanOrEqual(Date.parse(r.at));
    }
  });

  it('failed logins from one address are counted together; another address gets its own record', async () => {
    for (let i = 0; i < 15; i++)
      expect((await tokenFrom('127.0.0.60', p.url, { grant_type: 'refresh_token', refresh_token: `lprt_guess${i}` })).status).toBe(400);
    expect((await tokenFrom('127.0.0.61', p.url, { grant_type: 'refresh_token', refresh_token: 'lprt_elsewhere' })).status).toBe(400);
    const failed = (await trail('action=iam.token&outcome=failure')).filter((r) => r.clientAddress?.startsWith('127.0.0.6'));
    const counts = new Map<string, number>();
    for (const r of failed) counts.set(r.clientAddress as string, (counts.get(r.clientAddress as string) ?? 0) + r.count);
    expect(Object.fromEntries(counts)).toEqual({ '127.0.0.60': 15, '127.0.0.61': 1 });
    expect(failed.length).toBeLessThanOrEqual(4);
  });

  it("a member's refused reads are counted on one record; each refused change keeps its own", async () => {
    for (let i = 0; i < 3; i++) expect((await p.call('GET', '/api/v1/users', { token: liz, headers: { 'x-request-id': `liz-read-${i}` } })).status).toBe(403);
    for (let i = 0; i < 2; i++)
      expect((await p.call('POST', '/api/v1/groups', { token: liz, body: { name: `lizs-${i}` }, headers: { 'x-request-id': `liz-change-${i}` } })).status).toBe(
        403,
      );
    const reads = (await trail('action=iam.listUsers&outcome=denied')).filter((r) => r.principal?.name === 'liz');
    expect(reads.reduce((sum, r) => sum + r.count, 0)).toBe(3);
    expect(reads[0]).toMatchObject({ requestId: 'liz-read-0', clientAddress: '127.0.0.1' });
    const changes = (await trail('action=iam.createGroup&outcome=denied')).filter((r) => r.principal?.name === 'liz');
    expect(changes.map((r) => [r.requestId, r.count])).toEqual([
      ['liz-change-1', 1],
      ['liz-change-0', 1],
    ]);
  });
});
