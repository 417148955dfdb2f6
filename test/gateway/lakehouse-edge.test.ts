import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakehouseEdge, type LakehouseEdge } from '../../functions/gateway/lakehouse-edge/index.js';
import { findSparkJava, startInteropCatalog, type InteropCatalog } from '../interop/interop.js';
import { answered, refused, runBeeline, runEdgeClient, type EdgeStep } from '../support/lakehouse-edge-clients.js';
import { findLakehouseTools } from '../support/lakehouse-spark.js';
import { freePort } from '../support/ports.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { waitFor } from '../support/wait.js';

/**
 * Lakehouses by name from outside, through the edge the gateway mounts: HiveServer2 over HTTP transport (PyHive and
 * beeline) and Spark Connect over h2c (PySpark), to a real lakehouse driver on the local runtime with Lakeplane's
 * engine, on PostgreSQL. An analyst whose masking policy hides emails sees them masked over both; a stopped lakehouse
 * with auto-start is started by the first connection, which waits and then runs; a wait that runs out ends in an
 * error the client shows; an unknown lakehouse and a wrong token are refused in words; a large result streams
 * through; and the lakehouse's /connection gives the URLs through the public address.
 */
const tools = findLakehouseTools();
const java = findSparkJava();
const hasPostgres = Boolean(process.env['DATABASE_URL']);
const missing = [tools.ok ? '' : tools.why, java.ok ? '' : java.why, hasPostgres ? '' : 'DATABASE_URL is not set (scripts/start-postgres.sh)'].filter(Boolean);
if (missing.length) missingPrerequisite('the lakehouse edge suite', missing.join('; '));

const v = (...values: string[]) => ({ values });
const POLICIES = [
  {
    name: 'etl owns sales',
    resources: { warehouse: v('wh'), namespace: v('sales') },
    allow: [{ users: ['etl'], accesses: ['create', 'drop', 'alter', 'select'] }],
  },
  { name: 'etl writes sales tables', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [{ users: ['etl'], accesses: ['all'] }] },
  { name: 'ana reads sales', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [{ users: ['ana'], accesses: ['select'] }] },
  { name: 'everyone uses default', resources: { warehouse: v('wh'), namespace: v('default') }, allow: [{ groups: ['public'], accesses: ['select'] }] },
  {
    name: 'ana does not see emails',
    type: 'masking',
    resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('email') },
    masks: [{ users: ['ana'], type: 'MASK_SHOW_FIRST_4' }],
  },
];

/** An edge on its own port, as the gateway's server mounts it: HTTP/1.1 requests it claims, h2c connections. */
async function serveEdge(edge: LakehouseEdge, port: number): Promise<{ net: NetServer; http1: HttpServer }> {
  const http1 = createHttpServer((req, res) => {
    if (!edge.serveHttp(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not the edge');
  });
  const net = createNetServer((socket) => edge.accept(socket, http1));
  await new Promise<void>((resolve) => net.listen(port, '127.0.0.1', resolve));
  return { net, http1 };
}

describe.skipIf(missing.length > 0)("lakehouses by name through the edge, on a real Spark with Lakeplane's engine", () => {
  let catalog: InteropCatalog;
  let admin: string;
  let id: string;
  let port: number;
  let quickPort: number;
  let edge: LakehouseEdge;
  let quickEdge: LakehouseEdge;
  const servers: NetServer[] = [];
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
  const found = () => {
    if (!tools.ok) throw new Error(tools.why);
    return tools.value;
  };
  const client = (at: number, steps: EdgeStep[]) => runEdgeClient(found(), at, steps);
  const ok = answered;
  const failed = refused;
  const beeline = (jdbcUrl: string, user: string, token: string, sql: string) => runBeeline(found(), jdbcUrl, user, token, sql);

  beforeAll(async () => {
    if (!tools.ok) return;
    const t = tools.value;
    [port, quickPort] = [await freePort(), await freePort()];
    catalog = await startInteropCatalog('postgres', {
      env: {
        LAKEPLANE_SPARK_SUBMIT: t.sparkSubmit,
        LAKEPLANE_SPARK_PYTHON: path.join(path.dirname(t.sparkSubmit), 'python'),
        LAKEPLANE_LAKEHOUSE_JARS: [t.icebergJar, t.engineJar, t.connectJars].join(':'),
        LAKEPLANE_LAKEHOUSES_SUPERVISE_MS: '500',
        LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS: '400',
        LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS: '420',
        LAKEPLANE_LAKEHOUSE_SESSION_TIMEOUT_SECONDS: '60',
        LAKEPLANE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
    });
    const { platform } = catalog;
    admin = await platform.adminToken();
    for (const username of ['etl', 'ana']) {
      const u = await platform.call('POST', '/api/v1/users', { token: admin, body: { username, password: `${username}-password-long` } });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      const login = await platform.login(username, `${username}-password-long`);
      const pat = await platform.call('POST', '/api/v1/tokens', { token: login.body.access_token, body: { name: 'edge', expiresInDays: 1 } });
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
    const created = await call('POST', '/api/v1/lakehouses', { name: 'sales', autoStopMinutes: 10, driver: { memory: '1g' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = created.body.id;
    edge = createLakehouseEdge(platform.running.platform);
    quickEdge = createLakehouseEdge(platform.running.platform, { waitMs: 1000 });
    servers.push((await serveEdge(edge, port)).net, (await serveEdge(quickEdge, quickPort)).net);
  }, 180_000);
  afterAll(async () => {
    if (id) await call('POST', `/api/v1/lakehouses/${id}/stop`).catch(() => undefined);
    for (const s of servers) s.close();
    await edge?.close();
    await quickEdge?.close();
    await catalog?.close();
  });

  it('refuses an unknown lakehouse, a missing name and a wrong token, in words the client shows', async () => {
    const r = await client(port, [
      { id: 'hive-unknown', via: 'hive', lakehouse: 'nope', user: 'ana', token: tokens['ana'], op: 'connect' },
      { id: 'connect-unknown', via: 'connect', lakehouse: 'nope', user: 'ana', token: tokens['ana'], op: 'connect' },
      { id: 'hive-wrong-token', via: 'hive', lakehouse: 'sales', user: 'ana', token: 'lpat_not-a-real-token', op: 'connect' },
      { id: 'hive-not-hers', via: 'hive', lakehouse: 'sales', user: 'etl', token: tokens['ana'], op: 'connect' },
      { id: 'connect-wrong-token', via: 'connect', lakehouse: 'sales', user: 'ana', token: 'lpat_not-a-real-token', op: 'connect' },
    ]);
    expect(failed(r['hive-unknown'], 'unknown over HiveServer2')).toMatch(/lakehouse nope does not exist/);
    expect(failed(r['connect-unknown'], 'unknown over Connect')).toMatch(/NOT_FOUND[\s\S]*lakehouse nope does not exist/);
    expect(failed(r['hive-wrong-token'], 'wrong token over HiveServer2')).toMatch(/token/i);
    expect(failed(r['hive-not-hers'], "ana's token as etl")).toMatch(/the credential belongs to ana, not to etl/);
    expect(failed(r['connect-wrong-token'], 'wrong token over Connect')).toMatch(/UNAUTHENTICATED/);
    // Nothing refused started the lakehouse.
    expect((await lakehouse()).state).toBe('STOPPED');

    const problem = await fetch(`http://127.0.0.1:${port}/lakehouses/sales/hive`, { method: 'POST', body: 'not thrift' });
    expect(problem.status).toBe(401);
    expect(problem.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(((await problem.json()) as { detail: string }).detail).toMatch(/a Lakeplane token is required/);
  }, 180_000);

  it('a connection to the stopped lakehouse starts it (auto-start), waits, and runs as the analyst, masked, over both endpoints', async () => {
    const r = await client(port, [
      {
        id: 'create',
        via: 'hive',
        lakehouse: 'sales',
        user: 'etl',
        token: tokens['etl'],
        op: 'sql',
        sql: 'CREATE TABLE sales.customers (id INT, email STRING, region STRING) USING iceberg',
      },
      {
        id: 'insert',
        via: 'hive',
        lakehouse: 'sales',
        user: 'etl',
        token: tokens['etl'],
        op: 'sql',
        sql: "INSERT INTO sales.customers VALUES (1, 'ada@example.com', 'north'), (2, 'bob@example.com', 'south')",
      },
      {
        id: 'ana-hive',
        via: 'hive',
        lakehouse: 'sales',
        user: 'ana',
        token: tokens['ana'],
        op: 'sql',
        sql: 'SELECT id, email, region FROM sales.customers ORDER BY id',
      },
      {
        id: 'ana-connect',
        via: 'connect',
        lakehouse: 'sales',
        user: 'ana',
        token: tokens['ana'],
        op: 'sql',
        sql: 'SELECT id, email, region FROM sales.customers ORDER BY id',
      },
      { id: 'ana-user', via: 'hive', lakehouse: 'sales', user: 'ana', token: tokens['ana'], op: 'sql', sql: 'SELECT current_user()' },
    ]);
    ok(r['create'], 'create');
    ok(r['insert'], 'insert');
    const masked = [
      [1, 'ada@XXXXXXXXXXX', 'north'],
      [2, 'bob@XXXXXXXXXXX', 'south'],
    ];
    expect(ok(r['ana-hive'], 'ana over HiveServer2 (HTTP)')).toEqual(masked);
    expect(ok(r['ana-connect'], 'ana over Spark Connect (h2c)')).toEqual(masked);
    expect(ok(r['ana-user'], 'ana is ana')).toEqual([['ana']]);
    const starts = (await call('GET', `/api/v1/lakehouses/${id}/activity`)).body.items.filter((a: any) => a.kind === 'state' && a.toState === 'STARTING');
    expect(starts.map((a: any) => a.actor)).toEqual(['user:etl']);

    // The connection details give the URLs through the public address, by name; beeline takes the JDBC URL as it is.
    const conn = (await call('GET', `/api/v1/lakehouses/${id}/connection`, undefined, tokens['ana'])).body;
    expect(conn.jdbcUrl).toBe(`jdbc:hive2://127.0.0.1:${port}/default;transportMode=http;httpPath=lakehouses/sales/hive`);
    expect(conn.sparkConnectUrl).toBe(`sc://127.0.0.1:${port}/;user_id=ana;x-lakeplane-lakehouse=sales;x-lakeplane-token=<TOKEN>`);
    const b = await beeline(conn.jdbcUrl, 'ana', tokens['ana']!, 'SELECT id, email FROM sales.customers ORDER BY id');
    expect(b.out, b.out).toContain('1,ada@XXXXXXXXXXX');
    expect(b.code, b.out).toBe(0);
  }, 600_000);

  it('passes a large result through both endpoints as it streams', async () => {
    const r = await client(port, [
      {
        id: 'connect-big',
        via: 'connect',
        lakehouse: 'sales',
        user: 'ana',
        token: tokens['ana'],
        op: 'count',
        sql: "SELECT id, repeat('x', 100) AS pad FROM range(500000)",
      },
      {
        id: 'hive-big',
        via: 'hive',
        lakehouse: 'sales',
        user: 'ana',
        token: tokens['ana'],
        op: 'count',
        sql: "SELECT id, repeat('y', 100) AS pad FROM range(50000)",
      },
    ]);
    expect(ok(r['connect-big'], 'a 50 MB result over Connect')).toMatchObject({ rows: 500000 });
    expect(ok(r['connect-big'], '').chars).toBeGreaterThan(500000 * 100);
    expect(ok(r['hive-big'], 'a 5 MB result over HiveServer2')).toMatchObject({ rows: 50000 });
  }, 600_000);

  it('a wait that runs out ends in an error the client shows (HiveServer2: the starting state; Connect: UNAVAILABLE), and the start goes on', async () => {
    expect((await call('POST', `/api/v1/lakehouses/${id}/stop`)).status).toBe(202);
    await state('STOPPED', 120_000);
    const r = await client(quickPort, [
      { id: 'hive', via: 'hive', lakehouse: 'sales', user: 'ana', token: tokens['ana'], op: 'connect' },
      { id: 'connect', via: 'connect', lakehouse: 'sales', user: 'ana', token: tokens['ana'], op: 'connect', retries: 0 },
    ]);
    expect(failed(r['hive'], 'HiveServer2 while it starts')).toMatch(/lakehouse sales is starting and did not serve within 1 s/);
    expect(failed(r['connect'], 'Connect while it starts')).toMatch(/UNAVAILABLE[\s\S]*lakehouse sales is starting/);
    const b = await beeline(`jdbc:hive2://127.0.0.1:${quickPort}/default;transportMode=http;httpPath=lakehouses/sales/hive`, 'ana', tokens['ana']!, 'SELECT 1');
    expect(b.code, b.out).not.toBe(0);
    expect(b.out).toMatch(/lakehouse sales is starting and did not serve within 1 s/);
    expect((await lakehouse()).state).toMatch(/STARTING|RUNNING/);
  }, 300_000);
});
