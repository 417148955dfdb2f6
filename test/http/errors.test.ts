import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** The error contract every route shares: problem+json, the field named, nothing changed, no stack traces. */
describe.each(backends())('HTTP error contract on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_MAX_BODY_BYTES: '4096' } });
    admin = await p.adminToken();
  });
  afterAll(() => p?.close());

  async function userCount(): Promise<number> {
    return (await p.call('GET', '/api/v1/users?pageSize=200', { token: admin })).body.items.length;
  }

  function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, type: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: `https://lakeplane.dev/problems/${type}`, status, title: expect.any(String), detail: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  }

  it('malformed JSON is 400 and changes nothing', async () => {
    const before = await userCount();
    const res = await p.call('POST', '/api/v1/users', { token: admin, body: '{"username": "x",' });
    expectProblem(res, 400, 'malformed-body');
    expect(await userCount()).toBe(before);
  });

  it('an unknown field, a missing field and a wrong type are each named', async () => {
    const before = await userCount();
    const unknown = await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'carol', nickname: 'c' } });
    expectProblem(unknown, 400, 'validation-failed');
    expect(unknown.body.errors).toEqual([{ in: 'body', field: 'nickname', message: 'is not a known field' }]);

    const missing = await p.call('POST', '/api/v1/users', { token: admin, body: { email: 'carol@example.com' } });
    expect(missing.body.errors).toContainEqual({ in: 'body', field: 'username', message: 'is required' });

    const wrongType = await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'carol', isAdmin: 'yes' } });
    expect(wrongType.body.errors).toContainEqual({ in: 'body', field: 'isAdmin', message: 'must be boolean' });

    const badFormat = await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'carol', email: 'not-an-email', password: 'short' } });
    expect(badFormat.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);

    const notObject = await p.call('POST', '/api/v1/users', { token: admin, body: [1, 2] });
    expect(notObject.body.errors[0]).toMatchObject({ in: 'body', field: '', message: 'must be object' });
    expect(await userCount()).toBe(before);
  });

  it('query and path parameters are validated and named too', async () => {
    const q = await p.call('GET', '/api/v1/users?pageSize=1000', { token: admin });
    expectProblem(q, 400, 'validation-failed');
    expect(q.body.errors[0]).toMatchObject({ in: 'query', field: 'pageSize' });
    const unknownQuery = await p.call('GET', '/api/v1/users?colour=blue', { token: admin });
    expect(unknownQuery.body.errors[0]).toMatchObject({ in: 'query', field: 'colour', message: 'is not a known field' });
    const path = await p.call('GET', '/api/v1/users/not-a-uuid', { token: admin });
    expect(path.body.errors[0]).toMatchObject({ in: 'path', field: 'id' });
    const token = await p.call('GET', '/api/v1/users?pageToken=garbage', { token: admin });
    expect(token.body.errors[0]).toMatchObject({ in: 'query', field: 'pageToken' });
  });

  it('a body over the limit is 413, refused before it is read, and changes nothing', async () => {
    const before = await userCount();
    const big = JSON.stringify({ username: 'dave', displayName: 'x'.repeat(10_000) });
    const res = await p.call('POST', '/api/v1/users', { token: admin, body: big });
    expectProblem(res, 413, 'payload-too-large');
    expect(await userCount()).toBe(before);
  });

  it('a chunked body that grows past the limit is cut off with 413', async () => {
    const url = new URL(p.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/api/v1/users',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}`, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? resolve(413) : reject(err)));
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('a wrong content type is 415', async () => {
    const res = await p.call('POST', '/api/v1/users', { token: admin, body: 'username=erin', headers: { 'content-type': 'text/plain' } });
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('an unknown route is 404 and a wrong method is 405 with Allow', async () => {
    expectProblem(await p.call('GET', '/api/v1/nothing-here', { token: admin }), 404, 'not-found');
    const res = await p.call('DELETE', '/api/v1/users', { token: admin });
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.get('allow')).toBe('GET, POST, HEAD');
  });

  it('an unknown resource is 404, a duplicate is 409', async () => {
    expectProblem(await p.call('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000', { token: admin }), 404, 'not-found');
    await p.call('POST', '/api/v1/groups', { token: admin, body: { name: 'dupes' } });
    const dup = await p.call('POST', '/api/v1/groups', { token: admin, body: { name: 'DUPES' } });
    expectProblem(dup, 409, 'already-exists');
    expect(dup.body.detail).toMatch(/DUPES already exists/);
  });

  it('HEAD is answered like GET without a body', async () => {
    const res = await fetch(`${p.url}/healthz`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it("a URL past 16 KB is a 414 and headers past 16 KB a 431, in the route's error shape, not Node's bare status line", async () => {
    const longQuery = await p.call('GET', `/api/v1/catalog/search?q=${'x'.repeat(20_000)}`, { token: admin });
    expectProblem(longQuery, 414, 'uri-too-long');
    expect(longQuery.body.detail).toMatch(/at most 16384/);
    // Long enough that no route matches it: still a 414, not a 404.
    expectProblem(await p.call('GET', `/api/v1/catalog/warehouses/wh/namespaces/${'%C3%A6'.repeat(5_000)}/tables/t`, { token: admin }), 414, 'uri-too-long');
    // A mutation too, before it is authenticated or read.
    expectProblem(await p.call('POST', `/api/v1/groups?${'y'.repeat(20_000)}`, { body: { name: 'never' } }), 414, 'uri-too-long');
    // A route that matches answers in its own shape: Iceberg's ErrorModel, where the spec declares no 414.
    const iceberg = await p.call('GET', `/iceberg/v1/wh/namespaces/${'n'.repeat(16_370)}`, { token: admin });
    expect(iceberg.status).toBe(400);
    expect(iceberg.body).toEqual({ error: { type: 'BadRequestException', code: 400, message: expect.stringMatching(/URL is 16396 bytes long/) } });
    expectProblem(await p.call('GET', '/api/v1/users', { token: admin, headers: { 'x-padding': 'p'.repeat(20_000) } }), 431, 'header-fields-too-large');
  });

  it('a request past what the HTTP parser takes is a problem+json 431 too, and the server keeps serving', async () => {
    for (const url of [`${p.url}/api/v1/catalog/search?q=${'x'.repeat(70_000)}`, `${p.url}/healthz`]) {
      const headers = url.endsWith('healthz') ? { 'x-padding': 'p'.repeat(70_000) } : undefined;
      const res = await fetch(url, { headers });
      expect(res.status).toBe(431);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({
        type: 'https://lakeplane.dev/problems/header-fields-too-large',
        status: 431,
        detail: expect.stringMatching(/65536 bytes/),
      });
    }
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
  });

  it('a request id sent by the client is echoed back', async () => {
    const res = await p.call('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
  });
});
