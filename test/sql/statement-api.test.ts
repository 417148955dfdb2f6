import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { insertLakehouse } from './lakehouse-rows.js';

/**
 * The statement API's answers to bad input, through real HTTP, without Spark: each is a 4xx naming the field (or the
 * lakehouse) and stores no statement. The lakehouse "serving" points at a port nothing listens on, so a statement that
 * got past validation would show up in the history; none may.
 */
const API = '/api/v1/sql/statements';

describe.each(backends())('SQL statement API: bad input on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ada: string;
  const finished: Array<Record<string, unknown>> = [];
  const call = (method: string, url: string, body?: unknown, token = admin) => p.call(method, url, { token, ...(body !== undefined ? { body } : {}) });
  const history = async () => (await call('GET', '/api/v1/sql/history')).body.items as unknown[];

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_SQL_SWEEP_MS: '200', LAKEPLANE_SQL_HEARTBEAT_MS: '1000' } });
    admin = await p.adminToken();
    expect((await call('POST', '/api/v1/users', { username: 'ada', password: 'ada-password-123' })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
    p.running.platform.inProcessTransport!.subscribe(
      'io.lakeplane.sql.statement.finished.v1',
      async (e) => void finished.push(e.data as Record<string, unknown>),
    );
    await insertLakehouse(p, { name: 'serving', state: 'RUNNING', hiveServer2: { host: '127.0.0.1', port: 9 } });
    await insertLakehouse(p, { name: 'parked', state: 'STOPPED', autoStart: false });
    await insertLakehouse(p, { name: 'leaving', state: 'STOPPING' });
  }, 60_000);
  afterAll(async () => p?.close());

  const ok = { statement: 'SELECT 1', lakehouse: 'serving', wait_timeout: '0s' };

  it.each([
    ['wait_timeout above 50s', { ...ok, wait_timeout: '51s' }, 'wait_timeout', /0s or 5s to 50s/],
    ['wait_timeout between 0 and 5s', { ...ok, wait_timeout: '3s' }, 'wait_timeout', /0s or 5s to 50s/],
    ['wait_timeout without a unit', { ...ok, wait_timeout: '10' }, 'wait_timeout', /0s or 5s to 50s/],
    ['an unknown format', { ...ok, format: 'PARQUET' }, 'format', /./],
    ['an unknown on_wait_timeout', { ...ok, on_wait_timeout: 'PANIC' }, 'on_wait_timeout', /./],
    ['disposition EXTERNAL_LINKS', { ...ok, disposition: 'EXTERNAL_LINKS' }, 'disposition', /./],
    ['row_limit 0', { ...ok, row_limit: 0 }, 'row_limit', /./],
    ['no statement', { lakehouse: 'serving' }, 'statement', /./],
    ['an empty statement', { ...ok, statement: '' }, 'statement', /./],
    ['no lakehouse', { statement: 'SELECT 1' }, 'lakehouse', /./],
    ['an unknown field', { ...ok, warehouse_id: 'x' }, '', /warehouse_id/],
    ['a marker without its parameter', { ...ok, statement: 'SELECT :a, :b', parameters: [{ name: 'a', value: '1', type: 'INT' }] }, 'parameters', /:b/],
    [
      'a parameter the statement does not use',
      {
        ...ok,
        statement: 'SELECT :a',
        parameters: [
          { name: 'a', value: '1' },
          { name: 'z', value: '2' },
        ],
      },
      'parameters.1.name',
      /z is not used/,
    ],
    [
      'a value not of its type',
      { ...ok, statement: 'SELECT :n', parameters: [{ name: 'n', value: 'ten', type: 'INT' }] },
      'parameters.0',
      /parameter n: .*not an integer/,
    ],
    [
      'an INT out of range',
      { ...ok, statement: 'SELECT :n', parameters: [{ name: 'n', value: '2147483648', type: 'INT' }] },
      'parameters.0',
      /out of the range of INT/,
    ],
    ['an impossible date', { ...ok, statement: 'SELECT :d', parameters: [{ name: 'd', value: '2024-02-30', type: 'DATE' }] }, 'parameters.0', /not a DATE/],
    [
      'an unknown parameter type',
      { ...ok, statement: 'SELECT :x', parameters: [{ name: 'x', value: '1', type: 'UUID' }] },
      'parameters.0',
      /not one of STRING/,
    ],
    [
      'a parameter given twice',
      {
        ...ok,
        statement: 'SELECT :a',
        parameters: [
          { name: 'a', value: '1' },
          { name: 'a', value: '2' },
        ],
      },
      'parameters.1.name',
      /given twice/,
    ],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_what, body, field, message) => {
    const r = await call('POST', API, body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    const problems = r.body.errors as Array<{ field?: string; message: string }>;
    expect(
      problems.some((e) => (e.field ?? '').includes(field) && message.test(`${e.field} ${e.message}`)),
      JSON.stringify(problems),
    ).toBe(true);
    expect(await history()).toEqual([]);
  });

  it('an unknown lakehouse is a 404 naming it, a stopped one without auto-start a 409 saying it is stopped, a stopping one a 409', async () => {
    const unknown = await call('POST', API, { ...ok, lakehouse: 'nowhere' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/lakehouse nowhere does not exist/);
    const stopped = await call('POST', API, { ...ok, lakehouse: 'parked' });
    expect(stopped.status).toBe(409);
    expect(stopped.body.detail).toMatch(/lakehouse parked is stopped and auto-start is off/);
    const stopping = await call('POST', API, { ...ok, lakehouse: 'leaving' }, ada);
    expect(stopping.status).toBe(409);
    expect(stopping.body.detail).toMatch(/lakehouse leaving is stopping/);
    expect(await history()).toEqual([]);
    const row = await p.running.platform.store.db.selectFrom('lakehouses').select(['state']).where('name', '=', 'parked').executeTakeFirstOrThrow();
    expect(row.state).toBe('STOPPED');
  });

  it('an unknown statement or chunk is a 404; a bad history filter a 400 naming it', async () => {
    const missing = await call('GET', `${API}/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/statement 00000000-0000-4000-8000-000000000000 does not exist/);
    expect((await call('GET', `${API}/not-a-uuid`)).status).toBe(400);
    expect((await call('POST', `${API}/00000000-0000-4000-8000-000000000000/cancel`)).status).toBe(404);
    const badFrom = await call('GET', '/api/v1/sql/history?from=yesterday');
    expect(badFrom.status).toBe(400);
    expect(JSON.stringify(badFrom.body.errors)).toMatch(/from/);
    const badToken = await call('GET', '/api/v1/sql/history?page_token=xyz');
    expect(badToken.status).toBe(400);
    expect(JSON.stringify(badToken.body.errors)).toMatch(/page_token/);
  });

  it('a lakehouse that does not answer ends the statement FAILED with why (not a 5xx), and only its submitter and admins see it', async () => {
    const r = await call('POST', API, { ...ok, wait_timeout: '10s' }, ada);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status.state).toBe('FAILED');
    expect(r.body.status.error).toMatchObject({
      error_code: 'LAKEHOUSE_UNAVAILABLE',
      message: expect.stringMatching(/cannot reach the lakehouse's HiveServer2 at 127\.0\.0\.1:9/),
    });
    const id = r.body.statement_id as string;
    expect((await call('GET', `${API}/${id}`, undefined, ada)).body.status.state).toBe('FAILED');
    // Its end was announced (the outbox row is written in the transaction that ended it).
    for (let i = 0; i < 50 && !finished.some((e) => e.statementId === id); i++) await new Promise((r) => setTimeout(r, 100));
    expect(finished.filter((e) => e.statementId === id)).toEqual([
      expect.objectContaining({ statementId: id, owner: 'ada', lakehouseName: 'serving', state: 'FAILED', errorCode: 'LAKEHOUSE_UNAVAILABLE', rowCount: null }),
    ]);
    expect((await call('GET', `${API}/${id}`)).status).toBe(200);
    expect((await call('POST', '/api/v1/users', { username: 'bob', password: 'bob-password-123' })).status).toBe(201);
    const bob = (await p.login('bob', 'bob-password-123')).body.access_token;
    expect((await call('GET', `${API}/${id}`, undefined, bob)).status).toBe(403);
    expect((await call('POST', `${API}/${id}/cancel`, undefined, bob)).status).toBe(403);
    // Cancelling an ended statement changes nothing (as Databricks): the answer shows its state.
    const cancel = await call('POST', `${API}/${id}/cancel`, undefined, ada);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status.state).toBe('FAILED');
    expect((await call('GET', `${API}/${id}/result/chunks/0`, undefined, ada)).status).toBe(409);
    // History: members see their own only.
    expect((await call('GET', '/api/v1/sql/history', undefined, bob)).body.items).toEqual([]);
    const mine = (await call('GET', '/api/v1/sql/history', undefined, ada)).body.items;
    expect(mine).toMatchObject([{ statement_id: id, user: 'ada', lakehouse: { name: 'serving' }, statement: 'SELECT 1', state: 'FAILED', rows: null }]);
    expect((await call('GET', `/api/v1/sql/history?user=ada&lakehouse=serving&state=FAILED`)).body.items).toHaveLength(1);
    expect((await call('GET', `/api/v1/sql/history?state=SUCCEEDED`)).body.items).toHaveLength(0);
    expect((await call('GET', `/api/v1/sql/history?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.items).toHaveLength(0);
  });

  it('a statement whose process died (no heartbeat) is ended FAILED by the sweeper, not left RUNNING', async () => {
    const lakehouse = await p.running.platform.store.db.selectFrom('lakehouses').select('id').where('name', '=', 'serving').executeTakeFirstOrThrow();
    const id = '11111111-1111-4111-8111-111111111111';
    const lastBeat = new Date(Date.now() - 60_000);
    await p.running.platform.store.db
      .insertInto('sql_statements')
      .values({
        id,
        owner: 'ada',
        owner_kind: 'user',
        lakehouse_id: lakehouse.id,
        lakehouse_name: 'serving',
        lakehouse_generation: 1,
        statement: 'SELECT 2',
        parameters: '[]',
        catalog: null,
        schema_name: null,
        format: 'JSON_ARRAY',
        row_limit: null,
        state: 'RUNNING',
        executor: 'a-process-that-died',
        heartbeat_at: lastBeat,
        submitted_at: lastBeat,
      })
      .execute();
    let state = 'RUNNING';
    let body: any;
    for (let i = 0; i < 50 && state === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await call('GET', `${API}/${id}`, undefined, ada)).body;
      state = body.status.state;
    }
    expect(body.status).toEqual({
      state: 'FAILED',
      error: {
        error_code: 'EXECUTOR_LOST',
        message: `the process running this statement stopped (its last sign of life was at ${lastBeat.toISOString()}); run it again`,
      },
    });
  });

  it('the history pages newest first with page_size and page_token, each entry once', async () => {
    for (const n of [1, 2, 3]) expect((await call('POST', API, { ...ok, statement: `SELECT ${n}`, wait_timeout: '10s' })).body.status.state).toBe('FAILED');
    const all = (await call('GET', '/api/v1/sql/history')).body.items as Array<{ statement_id: string; submitted_at: string }>;
    expect(all.length).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: any = await call('GET', `/api/v1/sql/history?page_size=2${token ? `&page_token=${token}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((e: { statement_id: string }) => e.statement_id));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual(all.map((e) => e.statement_id));
    const times = all.map((e) => Date.parse(e.submitted_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // Admin sees everyone's; ada only hers.
    expect((await call('GET', '/api/v1/sql/history?user=admin')).body.items.map((e: { user: string }) => e.user)).toEqual(['admin', 'admin', 'admin']);
    expect((await call('GET', '/api/v1/sql/history?user=admin', undefined, ada)).body.items).toEqual([]);
  });
});
