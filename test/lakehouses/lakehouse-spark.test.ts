import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superviseLakehouses } from '../../functions/lakehouses/handlers/supervisor.js';
import { findSparkJava, runClientScript, startInteropCatalog, type InteropCatalog } from '../interop/interop.js';
import { findLakehouseTools } from '../support/lakehouse-spark.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { waitFor } from '../support/wait.js';

/**
 * A lakehouse end to end through Lakeplane's API, on the local runtime with a real Spark 3.5 (pyspark's spark-submit),
 * Iceberg's Spark runtime, Spark Connect's server and Lakeplane's engine, on PostgreSQL: create it, start it, wait for
 * RUNNING, read its connection details, connect with PyHive (HiveServer2) and PySpark Connect as real users with
 * their tokens, create an Iceberg table of our catalog through SQL and read it back, see a non-admin's masked column
 * and filtered rows over both endpoints, a wrong token refused at connect, then auto-stop after the idle window and a
 * stop that ends the driver. (spark-engine.test.ts covers the engine's enforcement case by case.)
 */
const tools = findLakehouseTools();
const java = findSparkJava();
const hasPostgres = Boolean(process.env['DATABASE_URL']);
const missing = [tools.ok ? '' : tools.why, java.ok ? '' : java.why, hasPostgres ? '' : 'DATABASE_URL is not set (scripts/start-postgres.sh)'].filter(Boolean);
if (missing.length) missingPrerequisite('the lakehouse end-to-end suite', missing.join('; '));
const CLIENT = path.join(import.meta.dirname, 'lakehouse_client.py');

const v = (...values: string[]) => ({ values });
const POLICIES = [
  { name: 'admins do all', resources: { warehouse: v('wh'), namespace: v('*'), table: v('*') }, allow: [{ roles: ['admin'], accesses: ['all'] }] },
  { name: 'admins own the warehouse', resources: { warehouse: v('wh'), namespace: v('*') }, allow: [{ roles: ['admin'], accesses: ['all'] }] },
  {
    name: 'etl owns sales',
    resources: { warehouse: v('wh'), namespace: v('sales') },
    allow: [{ users: ['etl'], accesses: ['create', 'drop', 'alter', 'select'] }],
  },
  { name: 'etl writes sales tables', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [{ users: ['etl'], accesses: ['all'] }] },
  { name: 'ana reads sales', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [{ users: ['ana'], accesses: ['select'] }] },
  { name: 'everyone uses default', resources: { warehouse: v('wh'), namespace: v('default') }, allow: [{ groups: ['public'], accesses: ['select'] }] },
  {
    name: 'ana sees the north',
    type: 'row-filter',
    resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers') },
    rowFilters: [{ users: ['ana'], filter: "region = 'north'" }],
  },
  {
    name: 'ana does not see emails',
    type: 'masking',
    resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('email') },
    masks: [{ users: ['ana'], type: 'MASK_SHOW_FIRST_4' }],
  },
];

type Answer = { ok: any } | { error: string };

describe.skipIf(missing.length > 0)("a lakehouse through the API, on a real Spark with Lakeplane's engine", () => {
  let catalog: InteropCatalog;
  let admin: string;
  let id: string;
  const tokens: Record<string, string> = {};
  const call = (method: string, url: string, body?: unknown, token = admin) =>
    catalog.platform.call(method, url, { token, ...(body !== undefined ? { body } : {}) });
  const lakehouse = async () => (await call('GET', `/api/v1/lakehouses/${id}`)).body;
  const state = (want: string, timeoutMs: number) =>
    waitFor(
      `lakehouse ${want}`,
      async () => {
        const l = await lakehouse();
        if (l.state === 'FAILED' && want !== 'FAILED')
          throw new Error(`FAILED: ${l.stateMessage}\n${(await call('GET', `/api/v1/lakehouses/${id}/logs?tail=80`)).body}`);
        return l.state === want ? l : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  async function client(
    ports: { hs2Port: number; connectPort: number },
    steps: Array<Record<string, unknown>>,
    checkpoint?: (name: string) => Promise<void>,
  ): Promise<Record<string, Answer>> {
    const t = tools.ok ? tools.value : undefined;
    return (
      await runClientScript<{ results: Record<string, Answer> }>(
        t!.clientPython,
        CLIENT,
        { ...ports, steps },
        { timeoutMs: 240_000, ...(checkpoint ? { checkpoint } : {}) },
      )
    ).result.results;
  }
  const reported = () =>
    catalog.platform.running.platform.store.db
      .selectFrom('lakehouses')
      .select(['open_sessions', 'agent_reported_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const ok = (a: Answer | undefined, what: string) => {
    expect(a && 'ok' in a, `${what}: ${JSON.stringify(a)}`).toBe(true);
    return (a as { ok: any }).ok;
  };

  beforeAll(async () => {
    if (!tools.ok) return;
    const t = tools.value;
    catalog = await startInteropCatalog('postgres', {
      env: {
        LAKEPLANE_SPARK_SUBMIT: t.sparkSubmit,
        LAKEPLANE_SPARK_PYTHON: path.join(path.dirname(t.sparkSubmit), 'python'),
        LAKEPLANE_LAKEHOUSE_JARS: [t.icebergJar, t.engineJar, t.connectJars].join(':'),
        LAKEPLANE_LAKEHOUSES_SUPERVISE_MS: '500',
        LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS: '400',
        // Abandoned sessions (Spark Connect 3.5 clients cannot end theirs) count as closed after 20 s here, not an hour.
        LAKEPLANE_LAKEHOUSE_SESSION_TIMEOUT_SECONDS: '20',
        LAKEPLANE_LAKEHOUSE_ACTIVITY_REPORT_SECONDS: '2',
      },
    });
    const { platform } = catalog;
    admin = await platform.adminToken();
    for (const username of ['etl', 'ana']) {
      const u = await platform.call('POST', '/api/v1/users', { token: admin, body: { username, password: `${username}-password-long` } });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      const login = await platform.login(username, `${username}-password-long`);
      const pat = await platform.call('POST', '/api/v1/tokens', { token: login.body.access_token, body: { name: 'lakehouse', expiresInDays: 1 } });
      expect(pat.status, JSON.stringify(pat.body)).toBe(201);
      tokens[username] = pat.body.token;
    }
    for (const body of POLICIES) expect((await platform.call('POST', '/api/v1/policies', { token: admin, body })).status).toBe(201);
    const service = await catalog.serviceToken();
    const config = (await (await fetch(`${catalog.connection.uri}/v1/config?warehouse=wh`, { headers: { authorization: `Bearer ${service}` } })).json()) as {
      overrides?: { prefix?: string };
    };
    for (const ns of ['default', 'sales']) {
      const r = await fetch(`${catalog.connection.uri}/v1/${config.overrides?.prefix}/namespaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: [ns] }),
      });
      expect(r.status).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    if (id) await call('POST', `/api/v1/lakehouses/${id}/stop`).catch(() => undefined);
    await catalog?.close();
  });

  it('starts a lakehouse, serves HiveServer2 and Spark Connect as each user, under the policies', async () => {
    const created = await call('POST', '/api/v1/lakehouses', { name: 'e2e', autoStopMinutes: 10, driver: { memory: '1g' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = created.body.id;
    expect((await call('POST', `/api/v1/lakehouses/${id}/start`)).status).toBe(202);
    const running = await state('RUNNING', 420_000);
    expect(running.stateMessage).toMatch(/serving: HiveServer2 at 127\.0\.0\.1:\d+, Spark Connect at 127\.0\.0\.1:\d+/);

    const conn = (await call('GET', `/api/v1/lakehouses/${id}/connection`, undefined, tokens['ana'])).body;
    expect(conn).toMatchObject({ user: 'ana', defaultCatalog: 'wh', catalogs: ['wh'] });
    const ports = { hs2Port: conn.hiveServer2.port, connectPort: conn.sparkConnect.port };
    const as = (user: string, via: 'hs2' | 'connect', stepId: string, sql: string) => ({ id: stepId, via, user, token: tokens[user], op: 'sql', sql });
    const r = await client(ports, [
      { id: 'wrong-hs2', via: 'hs2', user: 'ana', token: 'lpat_not-a-real-token', op: 'connect' },
      { id: 'wrong-connect', via: 'connect', user: 'ana', token: 'lpat_not-a-real-token', op: 'connect' },
      as('etl', 'hs2', 'create', 'CREATE TABLE sales.customers (id INT, email STRING, region STRING) USING iceberg'),
      as(
        'etl',
        'hs2',
        'insert',
        "INSERT INTO sales.customers VALUES (1, 'ada@example.com', 'north'), (2, 'bob@example.com', 'south'), (3, 'cy@example.org', 'north')",
      ),
      as('etl', 'connect', 'etl-reads', 'SELECT id, email, region FROM sales.customers ORDER BY id'),
      as('ana', 'hs2', 'ana-hs2', 'SELECT id, email, region FROM sales.customers ORDER BY id'),
      as('ana', 'connect', 'ana-connect', 'SELECT id, email, region FROM wh.sales.customers ORDER BY id'),
      as('ana', 'hs2', 'ana-user', 'SELECT current_user()'),
    ]);
    expect('error' in r['wrong-hs2']!, JSON.stringify(r['wrong-hs2'])).toBe(true);
    expect((r['wrong-connect'] as { error: string }).error).toMatch(/UNAUTHENTICATED|refused the credential/);
    ok(r['create'], 'create');
    ok(r['insert'], 'insert');
    expect(ok(r['etl-reads'], 'etl reads')).toEqual([
      [1, 'ada@example.com', 'north'],
      [2, 'bob@example.com', 'south'],
      [3, 'cy@example.org', 'north'],
    ]);
    const masked = [
      [1, 'ada@XXXXXXXXXXX', 'north'],
      [3, 'cy@eXXXXXXXXXX', 'north'],
    ];
    expect(ok(r['ana-hs2'], 'ana over HiveServer2')).toEqual(masked);
    expect(ok(r['ana-connect'], 'ana over Spark Connect')).toEqual(masked);
    expect(ok(r['ana-user'], 'ana is ana')).toEqual([['ana']]);

    // The table is our catalog's.
    const service = await catalog.serviceToken();
    const config = (await (await fetch(`${catalog.connection.uri}/v1/config?warehouse=wh`, { headers: { authorization: `Bearer ${service}` } })).json()) as {
      overrides?: { prefix?: string };
    };
    expect(
      (
        await fetch(`${catalog.connection.uri}/v1/${config.overrides?.prefix}/namespaces/sales/tables/customers`, {
          headers: { authorization: `Bearer ${service}` },
        })
      ).status,
    ).toBe(200);
  }, 600_000);

  it('stays up while a session is open, and stops itself after the idle window once none is (auto-stop)', async () => {
    const before = await lakehouse();
    expect(before.state).toBe('RUNNING');
    const hs2 = before.endpoints.hiveServer2;
    const ports = { hs2Port: hs2.port, connectPort: before.endpoints.sparkConnect.port };
    const platform = catalog.platform.running.platform;
    const later = () => new Date(Date.now() + 11 * 60_000);
    const r = await client(
      ports,
      [
        { id: 'open', via: 'hs2', user: 'ana', token: tokens['ana'], op: 'sql', sql: 'SELECT 1' },
        { id: 'hold', op: 'checkpoint', name: 'session open' },
      ],
      async () => {
        // The driver reports the open session; however long since the last statement, it is not idle.
        await waitFor('the driver to report an open session', async () => ((await reported()).open_sessions >= 1 ? true : undefined), {
          timeoutMs: 30_000,
          intervalMs: 250,
        });
        expect((await superviseLakehouses(platform, later())).stopped).toBe(0);
      },
    );
    ok(r['open'], 'open a session');
    // The client closed its session (and the Connect sessions of the test before are unused past the session timeout).
    await waitFor('the driver to report no open session', async () => ((await reported()).open_sessions === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect((await lakehouse()).state).toBe('RUNNING');
    expect((await superviseLakehouses(platform, later())).stopped).toBe(1);
    const stopped = await state('STOPPED', 120_000);
    expect(stopped.endpoints).toBeNull();
    const { accepts } = await import('../../shared/domains/lakehouses/index.js');
    expect(await accepts(hs2)).toBe(false);
    const activity = (await call('GET', `/api/v1/lakehouses/${id}/activity`)).body.items.filter((a: any) => a.kind === 'state');
    expect(activity.map((a: any) => a.toState)).toEqual(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED']);
    expect(activity[2].message).toBe('idle for 10 minutes: stopping');
  }, 240_000);

  it('a statement to the stopped lakehouse starts it (auto-start), waits, and runs as the caller under her policies', async () => {
    expect((await lakehouse()).state).toBe('STOPPED');
    const submitted = await call(
      'POST',
      '/api/v1/sql/statements',
      { lakehouse: 'e2e', statement: 'SELECT id, email, region FROM wh.sales.customers ORDER BY id', wait_timeout: '5s' },
      tokens['ana'],
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(['PENDING', 'RUNNING', 'SUCCEEDED']).toContain(submitted.body.status.state);
    const statementId = submitted.body.statement_id as string;
    const done = await waitFor(
      'the statement to finish',
      async () => {
        const s = (await call('GET', `/api/v1/sql/statements/${statementId}`, undefined, tokens['ana'])).body;
        return ['SUCCEEDED', 'FAILED', 'CANCELED', 'CLOSED'].includes(s.status?.state) ? s : undefined;
      },
      { timeoutMs: 420_000, intervalMs: 1000 },
    );
    expect(done.status, JSON.stringify(done.status)).toMatchObject({ state: 'SUCCEEDED' });
    expect(done.result.data_array).toEqual([
      ['1', 'ada@XXXXXXXXXXX', 'north'],
      ['3', 'cy@eXXXXXXXXXX', 'north'],
    ]);
    const l = await lakehouse();
    expect(l).toMatchObject({ state: 'RUNNING', generation: 2 });
    const starts = (await call('GET', `/api/v1/lakehouses/${id}/activity`)).body.items.filter((a: any) => a.kind === 'state' && a.toState === 'STARTING');
    expect(starts.map((a: any) => a.actor)).toEqual(['user:admin', 'user:ana']);
  }, 480_000);

  it("pages a 100,000-row result in chunks, cancels a long statement, and ends a SQL error FAILED with Spark's message", async () => {
    expect((await lakehouse()).state).toBe('RUNNING');
    const big = await call('POST', '/api/v1/sql/statements', {
      lakehouse: 'e2e',
      statement: "SELECT id, concat('row-', id) AS label FROM range(100000)",
      wait_timeout: '50s',
    });
    const finished =
      big.body.status.state === 'SUCCEEDED'
        ? big.body
        : await waitFor(
            'the big statement',
            async () => {
              const b = (await call('GET', `/api/v1/sql/statements/${big.body.statement_id}`)).body;
              return b.status.state === 'SUCCEEDED' ? b : undefined;
            },
            { timeoutMs: 240_000, intervalMs: 1000 },
          );
    expect(finished.manifest.total_row_count).toBe(100000);
    let rows = 0;
    let last: string[] | undefined;
    for (const chunk of finished.manifest.chunks) {
      const page = (await call('GET', `/api/v1/sql/statements/${finished.statement_id}/result/chunks/${chunk.chunk_index}`)).body;
      expect(page.row_offset).toBe(rows);
      rows += page.data_array.length;
      last = page.data_array.at(-1);
    }
    expect(rows).toBe(100000);
    expect(last).toEqual(['99999', 'row-99999']);

    const long = await call('POST', '/api/v1/sql/statements', {
      lakehouse: 'e2e',
      statement: 'SELECT count(*) FROM range(100000000) a CROSS JOIN range(100000000) b',
      wait_timeout: '0s',
    });
    expect(long.status).toBe(200);
    await waitFor(
      'the long statement to run',
      async () => ((await call('GET', `/api/v1/sql/statements/${long.body.statement_id}`)).body.status.state === 'RUNNING' ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect((await call('POST', `/api/v1/sql/statements/${long.body.statement_id}/cancel`)).status).toBe(200);
    const cancelled = await waitFor(
      'the cancel',
      async () => {
        const b = (await call('GET', `/api/v1/sql/statements/${long.body.statement_id}`)).body;
        return b.status.state === 'CANCELED' ? b : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(cancelled.status.state).toBe('CANCELED');

    const bad = await call(
      'POST',
      '/api/v1/sql/statements',
      { lakehouse: 'e2e', statement: 'SELECT * FROM wh.sales.no_such_table', wait_timeout: '30s' },
      tokens['ana'],
    );
    expect(bad.status).toBe(200);
    expect(bad.body.status.state).toBe('FAILED');
    expect(bad.body.status.error.message).toMatch(/TABLE_OR_VIEW_NOT_FOUND|not found|no_such_table/i);
  }, 480_000);
});
