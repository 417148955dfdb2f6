import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** Job definitions through real HTTP: create, read, list, versioned replace with If-Match, delete, bad input, owners. */
const API = '/api/v1/jobs';
const pi = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'python',
  mainApplicationFile: 'local:///opt/jobs/pi.py',
  arguments: ['10'],
  ...extra,
});

describe.each(backends())('Spark job definitions on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ada: string;
  const call = (method: string, url: string, body?: unknown, token = admin, headers?: Record<string, string>) =>
    p.call(method, url, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_SPARK_SUBMIT: '/nonexistent/spark-submit' } });
    admin = await p.adminToken();
    expect((await call('POST', '/api/v1/users', { username: 'ada', password: 'ada-password-123' })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
  }, 60_000);
  afterAll(async () => p?.close());

  it('creates a job with its defaults, reads it, lists it, and keeps every version', async () => {
    const created = await call('POST', API, pi('nightly-pi', { tags: ['demo'], schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin' } }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      name: 'nightly-pi',
      owner: 'admin',
      version: 1,
      type: 'python',
      sparkVersion: '3.5.7',
      arguments: ['10'],
      driver: { cores: 1, memory: '1g' },
      executor: { cores: 1, memory: '1g', instances: 1 },
      retry: { maxAttempts: 1, backoffSeconds: 30 },
      schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', paused: false, catchUp: 'none' },
      concurrencyPolicy: 'Allow',
      createdBy: 'user:admin',
    });
    const id = created.body.id as string;
    expect((await call('GET', `${API}/${id}`)).body).toEqual(created.body);
    expect((await call('GET', `${API}?tag=demo`)).body.items.map((j: any) => j.name)).toEqual(['nightly-pi']);
    expect((await call('GET', `${API}?type=scala`)).body.items).toEqual([]);

    const replaced = await call('PUT', `${API}/${id}`, pi('nightly-pi', { arguments: ['100'] }), admin, { 'if-match': '"1"' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ version: 2, arguments: ['100'], updatedBy: 'user:admin' });
    const stale = await call('PUT', `${API}/${id}`, pi('nightly-pi', { arguments: ['7'] }), admin, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect((await call('GET', `${API}/${id}/versions`)).body.items.map((v: any) => [v.version, v.spec.arguments])).toEqual([
      [2, ['100']],
      [1, ['10']],
    ]);

    expect((await call('POST', API, pi('NIGHTLY-PI'.toLowerCase()))).status).toBe(409);
    expect((await call('DELETE', `${API}/${id}`)).status).toBe(204);
    expect((await call('GET', `${API}/${id}`)).status).toBe(404);
    // The versions outlive the job, as its runs do.
    expect((await call('GET', `${API}/${id}/versions`)).status).toBe(404);
  });

  it.each([
    ['an invalid cron', pi('bad-cron', { schedule: { cron: '61 * * * *' } }), 'schedule.cron', /minute/],
    ['a cron with six fields', pi('bad-cron6', { schedule: { cron: '0 0 3 * * *' } }), 'schedule.cron', /five fields/],
    ['an unknown time zone', pi('bad-tz', { schedule: { cron: '0 3 * * *', timeZone: 'Mars/Olympus' } }), 'schedule.timeZone', /IANA/],
    ['negative cores', pi('bad-cores', { executor: { cores: -1 } }), 'executor.cores', /must be >= 1/],
    ['absurd memory', pi('bad-memory', { driver: { memory: '9999g' } }), 'driver.memory', /more than 512g/],
    ['too little memory', pi('tiny-memory', { executor: { memory: '64m' } }), 'executor.memory', /below Spark's minimum/],
    ['a memory without unit', pi('bad-unit', { driver: { memory: '4096' } }), 'driver.memory', /./],
    ['an unknown type', pi('bad-type', { type: 'ruby' }), 'type', /./],
    ['a missing main file', { name: 'no-main', type: 'python' }, '', /mainApplicationFile/],
    ['a scala job without main class', { name: 'no-class', type: 'scala', mainApplicationFile: 'local:///app.jar' }, 'mainClass', /required for scala jobs/],
    ['a main class on a python job', pi('py-class', { mainClass: 'com.example.Main' }), 'mainClass', /scala and java jobs only/],
    ['a python job that is not a .py', pi('py-jar', { mainApplicationFile: 'local:///app.jar' }), 'mainApplicationFile', /\.py file/],
    [
      'min executors above max',
      pi('bad-da', { dynamicAllocation: { minExecutors: 5, maxExecutors: 2 } }),
      'dynamicAllocation.minExecutors',
      /more than maxExecutors/,
    ],
    ['a sparkConf key that is not spark.*', pi('bad-conf', { sparkConf: { 'executor.memory': '1g' } }), 'sparkConf.executor.memory', /start with "spark\."/],
    ['an unknown field', pi('extra', { colour: 'blue' }), '', /colour/],
    ['a name Kubernetes refuses', pi('Has_Caps'), 'name', /./],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_what, body, field, message) => {
    const r = await call('POST', API, body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    const problems = r.body.errors as Array<{ field?: string; message: string }>;
    expect(
      problems.some((e) => (e.field ?? '').includes(field) && message.test(`${e.field} ${e.message}`)),
      JSON.stringify(problems),
    ).toBe(true);
    expect((await call('GET', `${API}?name=${encodeURIComponent(String((body as { name: string }).name))}`)).body.items).toEqual([]);
  });

  it("members own the jobs they create, see only theirs, and may not take or touch others'", async () => {
    const mine = await call('POST', API, pi('ada-job'), ada);
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.owner).toBe('ada');
    const admins = await call('POST', API, pi('admin-job'));
    expect((await call('POST', API, pi('for-bob', { owner: 'bob' }), ada)).status).toBe(403);
    expect((await call('GET', API, undefined, ada)).body.items.map((j: any) => j.name)).toEqual(['ada-job']);
    expect((await call('GET', `${API}/${admins.body.id}`, undefined, ada)).status).toBe(403);
    expect((await call('PUT', `${API}/${admins.body.id}`, pi('admin-job', { arguments: ['1'] }), ada)).status).toBe(403);
    expect((await call('DELETE', `${API}/${admins.body.id}`, undefined, ada)).status).toBe(403);
    expect((await call('PUT', `${API}/${mine.body.id}`, pi('ada-job', { arguments: ['2'] }), ada)).status).toBe(200);
    // The control policies cap executors for everyone (50 with the shipped bundle).
    const big = await call('POST', API, pi('too-big', { executor: { instances: 200 } }), ada);
    expect(big.status).toBe(403);
    expect(big.body.detail).toMatch(/at most 50 executors, not 200/);
    expect((await call('GET', API)).body.items.map((j: any) => j.name)).toEqual(expect.arrayContaining(['ada-job', 'admin-job']));
  });

  it("a CI system starts runs with the job's trigger token, and nothing else does", async () => {
    const created = await call('POST', API, pi('ci-triggered'));
    const id = created.body.id as string;
    const trigger = (token: string | undefined, key?: string) =>
      fetch(`${p.url}${API}/${id}/trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify({ overrides: { arguments: ['42'] } }),
      });
    expect((await trigger(undefined)).status).toBe(401);
    const minted = await call('POST', `${API}/${id}/trigger-token`);
    expect(minted.status).toBe(201);
    expect(minted.body.token).toMatch(/^lpjt_[0-9A-Za-z]{40}$/);
    expect((await trigger('lpjt_wrong')).status).toBe(401);
    expect((await trigger(admin)).status).toBe(401); // a platform token is not this job's trigger token
    const first = await trigger(minted.body.token, 'build-1234');
    expect(first.status).toBe(201);
    const run = (await first.json()) as { id: string; trigger: string; requestedBy: string; overrides: unknown };
    expect(run).toMatchObject({ trigger: 'webhook', requestedBy: 'trigger-token', overrides: { arguments: ['42'] } });
    const again = await trigger(minted.body.token, 'build-1234');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(run.id);
    // The token is checked before the key: a retry without it learns nothing of the run.
    expect((await trigger('lpjt_wrong', 'build-1234')).status).toBe(401);
    // Members cannot mint a token for someone else's job; a rotation ends the old token; a revocation ends all.
    expect((await call('POST', `${API}/${id}/trigger-token`, undefined, ada)).status).toBe(403);
    const rotated = await call('POST', `${API}/${id}/trigger-token`);
    expect((await trigger(minted.body.token)).status).toBe(401);
    expect((await trigger(rotated.body.token)).status).toBe(201);
    expect((await call('DELETE', `${API}/${id}/trigger-token`)).status).toBe(204);
    expect((await trigger(rotated.body.token)).status).toBe(401);
  });

  it('a run started again with the same Idempotency-Key is the first one as it is now; other overrides are a 409 naming it', async () => {
    const created = await call('POST', API, pi('keyed-runs'));
    const runs = `${API}/${created.body.id}/runs`;
    const start = (key: string, overrides: Record<string, unknown> = { arguments: ['5'] }) =>
      call('POST', runs, { overrides }, admin, { 'idempotency-key': key });
    const first = await start('k-1');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await start('k-1');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/api/v1/runs/${first.body.id}`);
    expect(again.body.id).toBe(first.body.id);
    const other = await start('k-1', { arguments: ['6'] });
    expect(other.status).toBe(409);
    expect(other.body.detail).toBe(`Idempotency-Key k-1 was used for a run of this job with other overrides (run ${first.body.id})`);
    // The overrides' own rules come before the key, as they always did.
    expect((await start('k-1', { sparkConf: { 'executor.memory': '2g' } })).status).toBe(400);
    expect((await start('not a key')).status).toBe(400);
    // A key migration 0022 carried over from job_runs keeps {"id": <run>} as its answer: it replays that run.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ arguments: ['7'] }))
      .digest('hex');
    await p.running.platform.store.db
      .insertInto('idempotency_keys')
      .values({
        scope: `jobs/${created.body.id}`,
        key: 'carried-over',
        operation: `startRun ${fingerprint}`,
        principal: 'user:admin',
        status: 201,
        body: `{"id" : "${first.body.id}"}`,
      })
      .execute();
    const carried = await start('carried-over', { arguments: ['7'] });
    expect(carried.status).toBe(200);
    expect(carried.body.id).toBe(first.body.id);
    expect((await call('GET', runs)).body.items.map((r: any) => r.id)).toEqual([first.body.id]);
  });

  it('refuses run overrides it does not know, or that are not Spark settings, with 400 naming the field, and starts nothing', async () => {
    const created = await call('POST', API, pi('override-checks'));
    const runs = `${API}/${created.body.id}/runs`;
    const unknown = await call('POST', runs, { overrides: { arguments: ['1'], colour: 'blue' } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toMatch(/colour/);
    const notSpark = await call('POST', runs, { overrides: { sparkConf: { 'executor.memory': '2g' } } });
    expect(notSpark.status).toBe(400);
    expect(notSpark.body.errors).toEqual([{ in: 'body', field: 'sparkConf.executor.memory', message: 'Spark settings start with "spark."' }]);
    expect((await call('GET', runs)).body.items).toEqual([]);
  });

  it('answers a log request for an attempt no run can have with 400 naming attempt, one it has not had with 404', async () => {
    const created = await call('POST', API, pi('log-attempts'));
    const run = await call('POST', `${API}/${created.body.id}/runs`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const logs = `/api/v1/runs/${run.body.id}/logs`;
    expect((await call('GET', `${logs}?attempt=2`)).status).toBe(404);
    for (const attempt of ['21', '2147483648', '9223372036854775808', '18446744073709551616000']) {
      const r = await call('GET', `${logs}?attempt=${attempt}`);
      expect(r.status, `attempt=${attempt}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'attempt' })]);
    }
  });
});
