import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, startLocalCluster, stillRunning, type LocalCluster } from '../../bin/local-cluster/index.js';
import { workloadName } from '../../shared/domains/lakehouses/index.js';
import { findIcebergSparkJar, findInteropPython, findSparkJava, INSTALL_HINT, runClientScript } from '../interop/interop.js';
import { createScratchDatabase } from '../support/databases.js';
import { answered, runBeeline, runEdgeClient } from '../support/lakehouse-edge-clients.js';
import { findLakehouseTools } from '../support/lakehouse-spark.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { describeProcesses, processTable, running } from '../support/process-table.js';
import { waitFor } from '../support/wait.js';

/**
 * The engines against the platform run as separate services (npm run start:cluster's launcher: one process per
 * function on PostgreSQL, the local Broker, the gateway in front; lakehouses on the local runtime), reached through
 * the gateway's URL alone, as a user outside the cluster would:
 *  - PyIceberg and Spark (Iceberg's Spark runtime) against the Iceberg REST catalog, each reading what the other wrote;
 *  - a stopped lakehouse with auto-start on, reached as an analyst whose data policy masks a column, over beeline
 *    (HiveServer2's HTTP transport) and PySpark's Spark Connect client: the first connection starts it and waits,
 *    and both see the values masked. The start is the lakehouses function's own (the gateway asks it, through the
 *    Broker), so its driver is that process's child, and stopping the lakehouse through the API ends it;
 *  - once the cluster stops, nothing it started runs any more.
 */
const interop = findInteropPython(['pyiceberg', 'pyarrow', 'pyspark']);
const icebergJar = findIcebergSparkJar();
const java = findSparkJava();
const tools = findLakehouseTools();
const hasDatabase = Boolean(process.env['DATABASE_URL']);
const missing = [
  ...[interop, icebergJar, java].flatMap((f) => (f.ok ? [] : [`${f.why}; ${INSTALL_HINT}`])),
  ...(tools.ok ? [] : [tools.why]),
  ...(hasDatabase ? [] : ['DATABASE_URL is not set (the functions run on PostgreSQL: scripts/start-postgres.sh)']),
];
if (missing.length) missingPrerequisite('the end-to-end engines suite on the local cluster', missing.join('; '));

const PASSWORD = 'engines-admin-password';
const START_REQUESTED = 'io.lakeplane.lakehouses.lakehouse.start-requested.v1';
const v = (...values: string[]) => ({ values });
const POLICIES = [
  { name: 'ana reads sales', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [{ users: ['ana'], accesses: ['select'] }] },
  { name: 'everyone uses default', resources: { warehouse: v('wh'), namespace: v('default') }, allow: [{ groups: ['public'], accesses: ['select'] }] },
  {
    name: 'ana does not see emails',
    type: 'masking',
    resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('email') },
    masks: [{ users: ['ana'], type: 'MASK_SHOW_FIRST_4' }],
  },
];
const CUSTOMERS = [
  [1, 'ada@example.com', 'north'],
  [2, 'bob@example.com', 'south'],
];
const MASKED = [
  [1, 'ada@XXXXXXXXXXX', 'north'],
  [2, 'bob@XXXXXXXXXXX', 'south'],
];

describe.skipIf(missing.length > 0)('the engines through the gateway of the local cluster', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let cluster: LocalCluster;
  let stateDir: string;
  let warehouseDir: string;
  /** The gateway's address: the only one this suite talks to. */
  let gateway: string;
  let port: number;
  let admin: string;
  let anaToken: string;
  let catalogConnection: { uri: string; warehouse: string; credential: string; oauth2ServerUri: string };
  let lakehouseId: string;
  const reports: string[] = [];

  const found = <T>(f: { ok: true; value: T } | { ok: false; why: string }): T => {
    if (!f.ok) throw new Error(f.why);
    return f.value;
  };
  async function call(method: string, route: string, body?: unknown, token = admin) {
    const response = await fetch(`${gateway}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as any) : undefined };
  }
  async function passwordGrant(username: string, password: string): Promise<string> {
    const r = await fetch(`${gateway}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username, password }) });
    const body = (await r.json()) as { access_token?: string };
    expect(r.status, JSON.stringify(body)).toBe(200);
    return body.access_token!;
  }
  const lakehouse = async () => (await call('GET', `/api/v1/lakehouses/${lakehouseId}`)).body;
  /** The lakehouse's driver: the JVM its spark-submit runs (found by the application name it is given). */
  const driverProcesses = (generation: number) =>
    running(processTable()).filter(
      (p) => p.cmdline.includes('org.apache.spark.deploy.SparkSubmit') && p.cmdline.includes(`--name ${workloadName(lakehouseId, generation)}`),
    );
  const below = (name: string) => new Set(descendants(cluster.pidOf(name)!).map((p) => p.pid));

  beforeAll(async () => {
    db = await createScratchDatabase();
    stateDir = mkdtempSync(path.join(tmpdir(), 'lakeplane-e2e-engines-'));
    warehouseDir = mkdtempSync(path.join(tmpdir(), 'lakeplane-e2e-warehouse-'));
    const t = found(tools);
    cluster = await startLocalCluster({
      databaseUrl: db.url,
      port: 0,
      stateDir,
      report: (line) => reports.push(line),
      shutdownGraceMs: 15_000,
      env: {
        LAKEPLANE_ADMIN_PASSWORD: PASSWORD,
        LAKEPLANE_LOG_LEVEL: 'warn',
        LAKEPLANE_EVENT_RETRY_BASE_MS: '500',
        LAKEPLANE_EVENT_POLL_MS: '500',
        LAKEPLANE_SPARK_SUBMIT: t.sparkSubmit,
        LAKEPLANE_SPARK_PYTHON: path.join(path.dirname(t.sparkSubmit), 'python'),
        LAKEPLANE_LAKEHOUSE_JARS: [t.icebergJar, t.engineJar, t.connectJars].join(':'),
        LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS: '400',
        LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS: '420',
      },
    });
    gateway = cluster.url!.replace('localhost', '127.0.0.1');
    port = Number(new URL(gateway).port);
    admin = await passwordGrant('admin', PASSWORD);

    const wh = await call('POST', '/api/v1/warehouses', { name: 'wh', storageLocation: pathToFileURL(warehouseDir).href });
    expect(wh.status, JSON.stringify(wh.body)).toBe(201);
    const sa = await call('POST', '/api/v1/service-accounts', { name: 'engines', isAdmin: true });
    expect(sa.status, JSON.stringify(sa.body)).toBe(201);
    const { clientId, clientSecret } = sa.body.credentials as { clientId: string; clientSecret: string };
    catalogConnection = {
      uri: `${gateway}/iceberg`,
      warehouse: 'wh',
      credential: `${clientId}:${clientSecret}`,
      oauth2ServerUri: `${gateway}/api/v1/auth/token`,
    };
    const user = await call('POST', '/api/v1/users', { username: 'ana', password: 'ana-password-long' });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const pat = await call('POST', '/api/v1/tokens', { name: 'engines', expiresInDays: 1 }, await passwordGrant('ana', 'ana-password-long'));
    expect(pat.status, JSON.stringify(pat.body)).toBe(201);
    anaToken = pat.body.token;
    for (const body of POLICIES) {
      const r = await call('POST', '/api/v1/policies', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const created = await call('POST', '/api/v1/lakehouses', { name: 'sales', autoStopMinutes: 10, driver: { memory: '1g' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    lakehouseId = created.body.id;
    expect(created.body).toMatchObject({ state: 'STOPPED', autoStart: true });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
    await db?.drop();
    for (const dir of [stateDir, warehouseDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('PyIceberg and Spark share the catalog: each reads back what the other wrote', async () => {
    const python = found(interop);
    const pyiceberg = (op: 'write' | 'read') =>
      runClientScript<Record<string, any>>(
        python,
        path.join(import.meta.dirname, 'engines_pyiceberg.py'),
        { ...catalogConnection, op },
        { timeoutMs: 180_000 },
      );
    const written = (await pyiceberg('write')).result;
    expect(written['namespaces']).toEqual(['default', 'sales']);
    expect(written['customers']).toEqual(CUSTOMERS.map(([id, email, region]) => ({ id, email, region })));

    const spark = await runClientScript<Record<string, unknown[][]>>(
      python,
      path.join(import.meta.dirname, 'engines_spark.py'),
      { ...catalogConnection, jar: found(icebergJar) },
      { timeoutMs: 540_000, env: { SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: python, PYSPARK_DRIVER_PYTHON: python } },
    );
    expect(spark.result['customers']).toEqual(CUSTOMERS);
    expect(spark.result['orders']).toEqual([
      [11, 1, 2.5],
      [12, 2, 5.0],
    ]);

    const read = (await pyiceberg('read')).result;
    expect(read['orders']).toEqual([
      { id: 11, customer_id: 1, amount: 2.5 },
      { id: 12, customer_id: 2, amount: 5.0 },
    ]);
  }, 900_000);

  it('an analyst reaches the stopped lakehouse through the gateway: the first connection starts it, and beeline and Spark Connect see the column masked', async () => {
    expect((await lakehouse()).state).toBe('STOPPED');
    const t = found(tools);
    const r = await runEdgeClient(t, port, [
      {
        id: 'connect',
        via: 'connect',
        lakehouse: 'sales',
        user: 'ana',
        token: anaToken,
        op: 'sql',
        sql: 'SELECT id, email, region FROM sales.customers ORDER BY id',
      },
      { id: 'hive', via: 'hive', lakehouse: 'sales', user: 'ana', token: anaToken, op: 'sql', sql: 'SELECT current_user()' },
    ]);
    expect(answered(r['connect'], 'ana over Spark Connect (h2c) through the gateway')).toEqual(MASKED);
    expect(answered(r['hive'], 'ana over HiveServer2 (HTTP) through the gateway')).toEqual([['ana']]);
    const jdbcUrl = `jdbc:hive2://127.0.0.1:${port}/;transportMode=http;httpPath=lakehouses/sales/hive`;
    const b = await runBeeline(t, jdbcUrl, 'ana', anaToken, 'SELECT id, email, region FROM sales.customers ORDER BY id');
    expect(b.code, b.out).toBe(0);
    expect(b.out, b.out).toContain('1,ada@XXXXXXXXXXX,north');
    expect(b.out, b.out).toContain('2,bob@XXXXXXXXXXX,south');
    expect(b.out).not.toContain('ada@example.com');

    // The connection started it, as ana.
    const started = await lakehouse();
    expect(started.state).toBe('RUNNING');
    const activity = (await call('GET', `/api/v1/lakehouses/${lakehouseId}/activity`)).body.items as Array<Record<string, unknown>>;
    expect(activity.filter((a) => a['kind'] === 'state' && a['toState'] === 'STARTING').map((a) => a['actor'])).toEqual(['user:ana']);

    // Its driver is the lakehouses function's child, not the gateway's.
    const driver = driverProcesses(started.generation);
    expect(driver.length, describeProcesses(running(processTable()).filter((p) => p.cmdline.includes('spark')))).toBeGreaterThan(0);
    const ofLakehouses = below('lakehouses');
    const ofGateway = below('gateway');
    for (const p of driver) {
      expect(ofLakehouses.has(p.pid), `${describeProcesses([p])} is not below the lakehouses function`).toBe(true);
      expect(ofGateway.has(p.pid), `${describeProcesses([p])} is below the gateway`).toBe(false);
    }

    // So the lakehouses function can stop it: its driver ends, and the stop is the workload's own report, not a give-up.
    expect((await call('POST', `/api/v1/lakehouses/${lakehouseId}/stop`)).status).toBe(202);
    await waitFor('the lakehouse STOPPED', async () => (await lakehouse()).state === 'STOPPED', { timeoutMs: 90_000, intervalMs: 500 });
    expect(stillRunning(driver.map((p) => p.pid))).toEqual([]);
    const last = (await call('GET', `/api/v1/lakehouses/${lakehouseId}/activity`)).body.items.find((a: any) => a.kind === 'state' && a.toState === 'STOPPED');
    expect(last.message).not.toMatch(/taken as gone/);

    // The gateway asked the lakehouses function to start it, through the Broker.
    const requests = cluster.broker.deliveries().filter((d) => d.eventType === START_REQUESTED);
    expect(requests.some((d) => d.trigger === 'lakehouses-start-requests' && d.status !== undefined && d.status < 300)).toBe(true);
  }, 900_000);

  it('stops every process it started, lakehouse drivers included', async () => {
    // A lakehouse starting again when the cluster stops: its driver goes with the lakehouses function.
    expect((await call('POST', `/api/v1/lakehouses/${lakehouseId}/start`)).status).toBe(202);
    const generation = (await lakehouse()).generation as number;
    const driver = await waitFor('the new driver running', () => (driverProcesses(generation).length > 0 ? driverProcesses(generation) : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const tree = cluster.processTree();
    for (const p of driver) expect(tree).toContain(p.pid);
    await cluster.stop();
    expect(stillRunning(tree)).toEqual([]);
    const left = running(processTable()).filter((p) => p.cmdline.includes(stateDir) || p.cmdline.includes(`--name ${workloadName(lakehouseId, generation)}`));
    expect(left, describeProcesses(left)).toEqual([]);
    expect(reports.filter((line) => line.includes('exited unexpectedly'))).toEqual([]);
  }, 120_000);
});
