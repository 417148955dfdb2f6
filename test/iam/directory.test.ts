import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** Users, groups and memberships: what an admin manages and what a member may see. */
describe.each(backends())('users and groups on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
  });
  afterAll(() => p?.close());

  it('creates, reads, updates and deletes a user; emits events; keeps usernames unique case-insensitively', async () => {
    const created = await p.call('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'frank', email: 'Frank@Example.com', displayName: 'Frank F', password: 'frank-password-1' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/users/${created.body.id}`);
    expect(created.body).toMatchObject({
      username: 'frank',
      email: 'Frank@Example.com',
      displayName: 'Frank F',
      active: true,
      isAdmin: false,
      source: 'local',
      groups: [],
      version: 1,
    });
    expect(created.body).not.toHaveProperty('password');
    expect(created.body).not.toHaveProperty('passwordHash');

    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'frank' } })).status).toBe(409);
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'frank2', email: 'frank@example.com' } })).status).toBe(409);

    const read = await p.call('GET', `/api/v1/users/${created.body.id}`, { token: admin });
    expect(read.body.username).toBe('frank');

    const updated = await p.call('PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { displayName: 'Franklin', email: null } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ displayName: 'Franklin', email: null, version: 2 });
    expect((await p.call('PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: {} })).status).toBe(400);

    const newPassword = await p.call('PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { password: 'a-brand-new-password' } });
    expect(newPassword.status).toBe(200);
    expect((await p.login('frank', 'frank-password-1')).status).toBe(400);
    expect((await p.login('frank', 'a-brand-new-password')).status).toBe(200);

    expect((await p.call('DELETE', `/api/v1/users/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await p.call('GET', `/api/v1/users/${created.body.id}`, { token: admin })).status).toBe(404);
    expect((await p.call('DELETE', `/api/v1/users/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('lists users with a filter and stable pages', async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) {
      await p.call('POST', '/api/v1/users', { token: admin, body: { username: name, email: `${name}@corp.example` } });
    }
    const seen: string[] = [];
    let pageToken: string | null = null;
    do {
      const res: { body: { items: Array<{ username: string }>; nextPageToken: string | null } } = await p.call(
        'GET',
        `/api/v1/users?q=page-&pageSize=2${pageToken ? `&pageToken=${pageToken}` : ''}`,
        { token: admin },
      );
      seen.push(...res.body.items.map((u) => u.username));
      pageToken = res.body.nextPageToken;
      // A user created while paging must not shift or duplicate what was served.
      if (seen.length === 2) await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'page-z' } });
    } while (pageToken);
    expect(seen).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e', 'page-z']);
    const byEmail = await p.call('GET', '/api/v1/users?q=CORP.EXAMPLE', { token: admin });
    expect(byEmail.body.items).toHaveLength(5);
    const inactive = await p.call('GET', '/api/v1/users?active=false', { token: admin });
    expect(inactive.body.items).toEqual([]);
  });

  it('manages groups and memberships, idempotently', async () => {
    const user = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'grace' } })).body;
    const group = await p.call('POST', '/api/v1/groups', { token: admin, body: { name: 'engineers', description: 'Builders' } });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({ name: 'engineers', description: 'Builders', memberCount: 0, source: 'local' });

    expect((await p.call('PUT', `/api/v1/groups/${group.body.id}/members/${user.id}`, { token: admin })).status).toBe(201);
    expect((await p.call('PUT', `/api/v1/groups/${group.body.id}/members/${user.id}`, { token: admin })).status).toBe(204);
    expect((await p.call('GET', `/api/v1/groups/${group.body.id}`, { token: admin })).body.memberCount).toBe(1);
    const members = await p.call('GET', `/api/v1/groups/${group.body.id}/members`, { token: admin });
    expect(members.body.items).toEqual([expect.objectContaining({ userId: user.id, username: 'grace', source: 'local' })]);
    expect((await p.call('GET', `/api/v1/users/${user.id}`, { token: admin })).body.groups).toEqual([{ id: group.body.id, name: 'engineers' }]);
    const filtered = await p.call('GET', `/api/v1/users?groupId=${group.body.id}`, { token: admin });
    expect(filtered.body.items.map((u: { username: string }) => u.username)).toEqual(['grace']);

    expect((await p.call('PUT', `/api/v1/groups/${group.body.id}/members/00000000-0000-4000-8000-000000000000`, { token: admin })).status).toBe(404);
    const renamed = await p.call('PATCH', `/api/v1/groups/${group.body.id}`, { token: admin, body: { name: 'platform-engineers' } });
    expect(renamed.body).toMatchObject({ name: 'platform-engineers', version: 2 });
    expect((await p.call('DELETE', `/api/v1/groups/${group.body.id}/members/${user.id}`, { token: admin })).status).toBe(204);
    expect((await p.call('DELETE', `/api/v1/groups/${group.body.id}/members/${user.id}`, { token: admin })).status).toBe(404);
    expect((await p.call('DELETE', `/api/v1/groups/${group.body.id}`, { token: admin })).status).toBe(204);
    expect((await p.call('GET', '/api/v1/groups?q=platform', { token: admin })).body.items).toEqual([]);
  });

  it('members may read themselves and nothing else; every denial is 403', async () => {
    const henry = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'henry', password: 'henry-password-1' } })).body;
    const other = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'ivy' } })).body;
    const token = (await p.login('henry', 'henry-password-1')).body.access_token;
    expect((await p.call('GET', `/api/v1/users/${henry.id}`, { token })).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/api/v1/users/${other.id}`, undefined],
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { username: 'sneaky' }],
      ['PATCH', `/api/v1/users/${henry.id}`, { isAdmin: true }],
      ['GET', '/api/v1/groups', undefined],
      ['POST', '/api/v1/groups', { name: 'sneaky' }],
      ['GET', '/api/v1/audit', undefined],
      ['GET', '/api/v1/service-accounts', undefined],
    ] as const) {
      const res = await p.call(method, path, { token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.type).toBe('https://lakeplane.dev/problems/forbidden');
    }
    expect((await p.call('GET', `/api/v1/users/${henry.id}`, { token: admin })).body.isAdmin).toBe(false);
  });

  it('never loses the last admin', async () => {
    const me = (await p.call('GET', '/api/v1/me', { token: admin })).body;
    const demote = await p.call('PATCH', `/api/v1/users/${me.id}`, { token: admin, body: { isAdmin: false } });
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatch(/last active admin/);
    expect((await p.call('DELETE', `/api/v1/users/${me.id}`, { token: admin })).status).toBe(409);
    expect((await p.call('GET', '/api/v1/me', { token: admin })).body.isAdmin).toBe(true);
  });

  it('serializes concurrent writers of one user: every update lands, versions are consecutive', async () => {
    const user = (await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'jack' } })).body;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => p.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { displayName: `jack-${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await p.call('GET', `/api/v1/users/${user.id}`, { token: admin })).body.version).toBe(9);
  });
});
