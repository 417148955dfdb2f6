import path from 'node:path';
import type { CloudEventV1 } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superviseLakehouses } from '../../functions/lakehouses/handlers/supervisor.js';
import { accepts } from '../../shared/domains/lakehouses/index.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * Lakehouses through real HTTP: definitions (create, read by id or name, list, PATCH with If-Match, delete), bad
 * input, who may do what, and the whole lifecycle on the local runtime: start, RUNNING once both endpoints accept
 * connections, connection details, restart-required changes and restart, stop, a driver that dies, a start that never
 * serves, auto-stop, delete while running, and a CloudEvent plus an activity entry for every transition. The driver
 * here is test/support/fake-lakehouse-driver.mjs in place of spark-submit (it listens on the ports it is given);
 * test/lakehouses/lakehouse-spark.test.ts runs the real one.
 */
const API = '/api/v1/lakehouses';
const FAKE_DRIVER = path.resolve(import.meta.dirname, '../support/fake-lakehouse-driver.mjs');
const STATE_CHANGED = 'io.lakeplane.lakehouses.lakehouse.state-changed.v1';

describe.each(backends())('lakehouses on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ada: string;
  const events: Array<CloudEventV1<any>> = [];
  const call = (method: string, url: string, body?: unknown, token = admin, headers?: Record<string, string>) =>
    p.call(method, url, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const stateOf = async (id: string) => (await call('GET', `${API}/${id}`)).body;
  const waitState = (id: string, state: string, timeoutMs = 20_000) =>
    waitFor(
      `lakehouse ${id} ${state}`,
      async () => {
        const l = await stateOf(id);
        return l.state === state ? l : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );

  beforeAll(async () => {
    p = await startPlatform(backend, {
      env: {
        LAKEPLANE_SPARK_SUBMIT: FAKE_DRIVER,
        LAKEPLANE_LAKEHOUSE_JARS: '/opt/lakeplane/jars/not-needed-by-the-fake-driver.jar',
        LAKEPLANE_LAKEHOUSES_SUPERVISE_MS: '200',
        LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS: '10',
      },
    });
    p.running.platform.inProcessTransport!.subscribe(STATE_CHANGED, async (e) => void events.push(e as CloudEventV1<any>));
    admin = await p.adminToken();
    expect((await call('POST', '/api/v1/users', { username: 'ada', password: 'ada-password-123' })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
    expect((await call('POST', '/api/v1/warehouses', { name: 'sales', storageLocation: 'file:///tmp/lakeplane-test-sales' })).status).toBe(201);
    expect((await call('POST', '/api/v1/warehouses', { name: 'analytics', storageLocation: 'file:///tmp/lakeplane-test-analytics' })).status).toBe(201);
  }, 60_000);
  afterAll(async () => p?.close());

  it('creates a lakehouse with its defaults, reads it by id and by name, lists it, and versions its changes', async () => {
    const created = await call('POST', API, { name: 'bi', description: 'for the dashboards', tags: ['bi'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      name: 'bi',
      owner: 'admin',
      version: 1,
      state: 'STOPPED',
      restartRequired: false,
      generation: 0,
      endpoints: null,
      driver: { cores: 1, memory: '1g' },
      executor: { cores: 1, memory: '1g' },
      executors: { min: 0, max: 2 },
      autoStopMinutes: 30,
      autoStart: true,
      sparkConf: {},
      sparkVersion: '3.5.9',
      createdBy: 'user:admin',
    });
    const id = created.body.id as string;
    expect((await call('GET', `${API}/${id}`)).body).toEqual(created.body);
    expect((await call('GET', `${API}/bi`)).body.id).toBe(id);
    expect((await call('GET', `${API}?tag=bi`)).body.items.map((l: any) => l.name)).toEqual(['bi']);
    expect((await call('GET', `${API}?state=RUNNING`)).body.items).toEqual([]);
    expect((await call('POST', API, { name: 'bi' })).status).toBe(409);

    const changed = await call('PATCH', `${API}/${id}`, { autoStopMinutes: 5, executors: { max: 4 } }, admin, { 'if-match': '"1"' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, autoStopMinutes: 5, executors: { min: 0, max: 4 }, restartRequired: false });
    expect((await call('PATCH', `${API}/${id}`, { description: 'late' }, admin, { 'if-match': '"1"' })).status).toBe(409);
    const rename = await call('PATCH', `${API}/${id}`, { name: 'other' });
    expect(rename.status).toBe(400);
    expect(rename.body.errors[0]).toMatchObject({ field: 'name', message: expect.stringMatching(/cannot be changed/) });

    expect((await call('DELETE', `${API}/${id}`)).status).toBe(204);
    expect((await call('GET', `${API}/${id}`)).status).toBe(404);
    // Its history outlives it.
    const activity = await call('GET', `${API}/${id}/activity`);
    expect(activity.status).toBe(200);
    expect(activity.body.items.map((a: any) => a.action)).toEqual(['create', 'update', 'delete']);
  });

  it.each([
    ['an upper-case name', { name: 'BI' }, 'name'],
    ['a name over 53 characters', { name: `a${'b'.repeat(53)}` }, 'name'],
    ['a name starting with a digit', { name: '9lives' }, 'name'],
    ['absurd driver memory', { name: 'x1', driver: { memory: '9999g' } }, 'driver.memory'],
    ['too little executor memory', { name: 'x2', executor: { memory: '64m' } }, 'executor.memory'],
    ['zero cores', { name: 'x3', driver: { cores: 0 } }, 'driver.cores'],
    ['min executors above max', { name: 'x4', executors: { min: 5, max: 2 } }, 'executors.min'],
    ['a negative auto-stop', { name: 'x5', autoStopMinutes: -1 }, 'autoStopMinutes'],
    ['a setting Lakeplane pins', { name: 'x6', sparkConf: { 'spark.sql.extensions': 'my.Extension' } }, 'sparkConf.spark.sql.extensions'],
    ['a catalog setting', { name: 'x7', sparkConf: { 'spark.sql.catalog.sales.token': 'x' } }, 'sparkConf.spark.sql.catalog.sales.token'],
    ["a setting that is not Spark's", { name: 'x8', sparkConf: { 'hive.x': 'y' } }, 'sparkConf.hive.x'],
    ['an unknown field', { name: 'x9', replicas: 3 }, 'replicas'],
    ['an unsupported Spark version', { name: 'x10', sparkVersion: '4.0.0' }, 'sparkVersion'],
  ])('refuses %s with 400 naming the field, storing nothing', async (_what, body, field) => {
    const before = (await call('GET', API)).body.items.length;
    const r = await call('POST', API, body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors.map((e: any) => e.field)).toContain(field);
    expect((await call('GET', API)).body.items.length).toBe(before);
  });

  it('lets members read and list every lakehouse but manage only their own', async () => {
    const mine = await call('POST', API, { name: 'admins' });
    expect((await call('GET', `${API}/admins`, undefined, ada)).status).toBe(200);
    expect((await call('POST', `${API}/admins/start`, undefined, ada)).status).toBe(403);
    expect((await call('PATCH', `${API}/admins`, { description: 'mine now' }, ada)).status).toBe(403);
    expect((await call('DELETE', `${API}/admins`, undefined, ada)).status).toBe(403);
    expect((await call('POST', API, { name: 'for-bob', owner: 'bob' }, ada)).status).toBe(403);
    const own = await call('POST', API, { name: 'adas' }, ada);
    expect(own.status).toBe(201);
    expect(own.body.owner).toBe('ada');
    expect((await call('PATCH', `${API}/adas`, { executors: { max: 500 } }, ada)).status).toBe(403); // the control policies cap executors
    expect((await call('DELETE', `${API}/adas`, undefined, ada)).status).toBe(204);
    expect((await call('DELETE', `${API}/${mine.body.id}`)).status).toBe(204);
  });

  it('starts, serves, flags a change for restart, restarts, stops, with an event and an activity entry per transition', async () => {
    const id = (await call('POST', API, { name: 'serving', driver: { memory: '1g' } })).body.id as string;
    events.length = 0;
    const started = await call('POST', `${API}/${id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ state: 'STARTING', generation: 1 });
    expect((await call('POST', `${API}/${id}/start`)).body.detail).toMatch(/is STARTING: cannot start/);

    const running = await waitState(id, 'RUNNING');
    expect(running.endpoints.hiveServer2).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) });
    expect(await accepts(running.endpoints.hiveServer2)).toBe(true);
    expect(await accepts(running.endpoints.sparkConnect)).toBe(true);
    expect(running.stateMessage).toMatch(/serving: HiveServer2 at 127\.0\.0\.1:\d+, Spark Connect/);

    const conn = await call('GET', `${API}/${id}/connection`, undefined, ada);
    expect(conn.status).toBe(200);
    expect(conn.body).toMatchObject({
      user: 'ada',
      jdbcUrl: `jdbc:hive2://127.0.0.1:${running.endpoints.hiveServer2.port}/default`,
      defaultCatalog: 'analytics',
      catalogs: ['analytics', 'sales'],
    });
    expect(conn.body.snippets.pysparkConnect).toContain(`sc://127.0.0.1:${running.endpoints.sparkConnect.port}/;user_id=ada;x-lakeplane-token=`);
    expect(conn.body.snippets.dbt).toContain(`port: ${running.endpoints.hiveServer2.port}`);
    const log = await call('GET', `${API}/${id}/logs?tail=50`);
    expect(log.status).toBe(200);
    expect(String(log.body)).toContain('fake-driver: listening');

    // A size change waits for the next start; a description does not need one.
    expect((await call('PATCH', `${API}/${id}`, { description: 'now' })).body.restartRequired).toBe(false);
    expect((await call('PATCH', `${API}/${id}`, { driver: { memory: '2g' } })).body.restartRequired).toBe(true);
    expect((await call('POST', `${API}/${id}/restart`)).status).toBe(202);
    const again = await waitState(id, 'RUNNING');
    expect(again).toMatchObject({ generation: 2, restartRequired: false, driver: { memory: '2g' } });
    expect(again.endpoints.hiveServer2.port).not.toBe(running.endpoints.hiveServer2.port);
    expect(await accepts(running.endpoints.hiveServer2)).toBe(false); // the first driver is gone

    expect((await call('POST', `${API}/${id}/stop`)).status).toBe(202);
    const stopped = await waitState(id, 'STOPPED');
    expect(stopped.endpoints).toBeNull();
    expect(await accepts(again.endpoints.hiveServer2)).toBe(false);
    expect((await call('GET', `${API}/${id}/connection`)).status).toBe(409);
    expect((await call('POST', `${API}/${id}/stop`)).body.detail).toMatch(/already stopped/);

    const path = ['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED'];
    const activity = (await call('GET', `${API}/${id}/activity`)).body.items.filter((a: any) => a.kind === 'state');
    expect(activity.map((a: any) => a.toState)).toEqual(path);
    expect(activity.map((a: any) => a.fromState)).toEqual(['STOPPED', ...path.slice(0, -1)]);
    await waitFor('every transition as a CloudEvent', () => events.filter((e) => e.data.lakehouseId === id).length >= path.length || undefined);
    expect(events.filter((e) => e.data.lakehouseId === id).map((e) => e.data.state)).toEqual(path);
    expect(events[0]!.subject).toBe(`lakehouses/${id}`);
    expect(events.map((e) => e.data.source)).toEqual(['api', 'probe', 'api', 'runtime', 'platform', 'probe', 'api', 'runtime']);
  });

  it("marks a lakehouse FAILED when its driver dies, with the log's error, and starts it again", async () => {
    const id = (await call('POST', API, { name: 'fragile', sparkConf: { 'spark.test.fakeDriver.crashAfterMs': '1500' } })).body.id as string;
    await call('POST', `${API}/${id}/start`);
    await waitState(id, 'RUNNING');
    const failed = await waitState(id, 'FAILED');
    expect(failed.stateMessage).toMatch(/its Spark driver ended \(FAILED\).*OutOfMemoryError/);
    expect(failed.endpoints).toBeNull();
    expect((await call('PATCH', `${API}/${id}`, { sparkConf: {} })).status).toBe(200);
    expect((await call('POST', `${API}/${id}/start`)).status).toBe(202);
    await waitState(id, 'RUNNING');
    await call('DELETE', `${API}/${id}`);
    await waitFor('the deleted lakehouse gone', async () => (await call('GET', `${API}/${id}`)).status === 404 || undefined);
  });

  it('fails a start whose endpoints never answer, and stops its driver', async () => {
    const id = (await call('POST', API, { name: 'mute', sparkConf: { 'spark.test.fakeDriver.neverListen': 'true' } })).body.id as string;
    await call('POST', `${API}/${id}/start`);
    const failed = await waitState(id, 'FAILED', 30_000);
    expect(failed.stateMessage).toMatch(/did not answer within 10 s/);
    expect((await call('POST', `${API}/${id}/stop`)).status).toBe(202);
    await waitState(id, 'STOPPED');
  });

  it('stops an idle lakehouse after its auto-stop window (auto-stop), and not one in use', async () => {
    const id = (await call('POST', API, { name: 'idle', autoStopMinutes: 1 })).body.id as string;
    await call('POST', `${API}/${id}/start`);
    await waitState(id, 'RUNNING');
    const platform = p.running.platform;
    expect((await superviseLakehouses(platform, new Date(Date.now() + 30_000))).stopped).toBe(0);
    // Its driver reports an open session: not idle, however long ago the last statement was.
    await platform.store.db.updateTable('lakehouses').set({ open_sessions: 1, agent_reported_at: new Date() }).where('id', '=', id).execute();
    expect((await superviseLakehouses(platform, new Date(Date.now() + 61_000))).stopped).toBe(0);
    await platform.store.db.updateTable('lakehouses').set({ open_sessions: 0 }).where('id', '=', id).execute();
    expect((await superviseLakehouses(platform, new Date(Date.now() + 61_000))).stopped).toBe(1);
    const stopped = await waitState(id, 'STOPPED');
    expect(stopped.stateMessage).toBe('stopped');
    const reasons = (await call('GET', `${API}/${id}/activity`)).body.items.filter((a: any) => a.toState === 'STOPPING').map((a: any) => a.message);
    expect(reasons).toEqual(['idle for 1 minutes: stopping']);
    expect(events.filter((e) => e.data.lakehouseId === id && e.data.state === 'STOPPING').map((e) => e.data.source)).toEqual(['auto-stop']);
  });

  it('deletes a running lakehouse: DELETING, its driver stopped, then gone', async () => {
    const id = (await call('POST', API, { name: 'doomed' })).body.id as string;
    await call('POST', `${API}/${id}/start`);
    const running = await waitState(id, 'RUNNING');
    const deleting = await call('DELETE', `${API}/${id}`);
    expect(deleting.status).toBe(202);
    expect(deleting.body.state).toBe('DELETING');
    await waitFor('the lakehouse gone', async () => (await call('GET', `${API}/${id}`)).status === 404 || undefined);
    expect(await accepts(running.endpoints.hiveServer2)).toBe(false);
    const activity = (await call('GET', `${API}/${id}/activity`)).body.items;
    expect(activity.at(-1)).toMatchObject({ action: 'delete', fromState: 'DELETING' });
  });

  it('takes an agent report only with the token of the current start', async () => {
    const id = (await call('POST', API, { name: 'reported' })).body.id as string;
    const r = await p.call('POST', `${API}/${id}/agent-report`, {
      body: { openSessions: 1, runningStatements: 0 },
      headers: { authorization: 'Bearer lplh_not-the-token-of-this-lakehouse' },
    });
    expect(r.status).toBe(401);
    await call('DELETE', `${API}/${id}`);
  });
});
