import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * PUT, PATCH and DELETE of a job decide the control policies twice: before the transaction (the route's declared
 * check) and again in it, on the locked row. The second decision must not ask the store whether the bundle changed:
 * the transaction holds a connection, and on PGlite the only one, so that question waited forever and wedged the whole
 * server (seen in CI under load, once the refresh interval passed between the two decisions). With the refresh
 * interval at 0 every decision that may ask does, so that interleaving happens on every request here.
 */
const API = '/api/v1/jobs';
const ANSWER_WITHIN_MS = 15_000;
const job = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'python', mainApplicationFile: '/tmp/count.py', ...extra });

describe.each(backends())('decisions inside a job change on %s, with every decision asking the store', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ada: string;
  /** A request that must be answered: a server wedged on its store fails the test here rather than at its timeout. */
  const call = async (method: string, url: string, body?: unknown, token = admin, headers: Record<string, string> = {}) => {
    let timer: NodeJS.Timeout | undefined;
    const wedged = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method} ${url} had no answer in ${ANSWER_WITHIN_MS} ms: the server is wedged`)), ANSWER_WITHIN_MS);
    });
    try {
      return await Promise.race([p.call(method, url, { token, headers, ...(body !== undefined ? { body } : {}) }), wedged]);
    } finally {
      clearTimeout(timer);
    }
  };
  const create = async (body: unknown, token = admin) => {
    const created = await call('POST', API, body, token);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string };
  };
  const patch = (id: string, body: unknown, token = admin) => call('PATCH', `${API}/${id}`, body, token, { 'content-type': 'application/merge-patch+json' });

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_SPARK_SUBMIT: '/nonexistent/spark-submit', LAKEPLANE_POLICY_REFRESH_MS: '0' } });
    admin = await p.adminToken();
    expect((await call('POST', '/api/v1/users', { username: 'ada', password: 'ada-password-123' })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
  }, 60_000);
  // Bounded: after a wedge the store never closes, and the failure above already says why.
  afterAll(async () => Promise.race([p?.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]));

  it('answers PATCH, PUT and DELETE, and the server answers after them', async () => {
    const { id } = await create(job('changes'));
    const patched = await patch(id, { arguments: ['1'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.version).toBe(2);
    const replaced = await call('PUT', `${API}/${id}`, job('changes', { arguments: ['2'] }), admin, { 'if-match': '"2"' });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.version).toBe(3);
    expect((await call('DELETE', `${API}/${id}`)).status).toBe(204);
    expect((await call('GET', `${API}/${id}`)).status).toBe(404);
  });

  it('still refuses in the transaction what the bundle refuses, with its reason, and answers the next request', async () => {
    const { id } = await create(job('adas'), ada);
    const big = await patch(id, { executor: { instances: 200 } }, ada);
    expect(big.status).toBe(403);
    expect(big.body.detail).toMatch(/at most 50 executors, not 200/);
    const giveAway = await call('PUT', `${API}/${id}`, job('adas', { owner: 'bob' }), ada);
    expect(giveAway.status).toBe(403);
    expect(giveAway.body.detail).toMatch(/only admins/);
    expect((await patch(id, { arguments: ['1'] }, ada)).status).toBe(200);
    expect((await call('DELETE', `${API}/${id}`, undefined, ada)).status).toBe(204);
  });
});
