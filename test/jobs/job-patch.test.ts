import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * PATCH /api/v1/jobs/{id} through real HTTP: a JSON merge patch (RFC 7396) of the stored definition, validated as PUT's
 * body, a new version on PUT's terms (If-Match, owners, the control policies), nothing written when nothing changes.
 */
const API = '/api/v1/jobs';
const MERGE_PATCH = 'application/merge-patch+json';
const count = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'python',
  mainApplicationFile: '/tmp/count.py',
  arguments: ['1000'],
  driver: { memory: '512m' },
  retry: { maxAttempts: 2, backoffSeconds: 10 },
  timeoutSeconds: 600,
  ...extra,
});

describe.each(backends())('PATCH of a job on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ada: string;
  const call = (method: string, url: string, body?: unknown, token = admin, headers?: Record<string, string>) =>
    p.call(method, url, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const patch = (id: string, body: unknown, headers: Record<string, string> = {}, token = admin) =>
    call('PATCH', `${API}/${id}`, body, token, { 'content-type': MERGE_PATCH, ...headers });
  const create = async (body: unknown, token = admin) => {
    const created = await call('POST', API, body, token);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; version: number } & Record<string, unknown>;
  };
  const versions = async (id: string) => ((await call('GET', `${API}/${id}/versions`)).body.items as Array<{ version: number }>).map((v) => v.version);

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_SPARK_SUBMIT: '/nonexistent/spark-submit' } });
    admin = await p.adminToken();
    expect((await call('POST', '/api/v1/users', { username: 'ada', password: 'ada-password-123' })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
  }, 60_000);
  afterAll(async () => p?.close());

  it('adds a schedule and keeps what the patch leaves out (retry, timeoutSeconds), as a new version', async () => {
    const job = await create(count('count'));
    const changed = await patch(
      job.id,
      { schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', catchUp: 'last' }, concurrencyPolicy: 'Forbid' },
      { 'if-match': '"1"' },
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    expect(changed.body).toMatchObject({
      version: 2,
      retry: { maxAttempts: 2, backoffSeconds: 10 },
      timeoutSeconds: 600,
      driver: { cores: 1, memory: '512m' },
      arguments: ['1000'],
      schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', catchUp: 'last', paused: false },
      concurrencyPolicy: 'Forbid',
      updatedBy: 'user:admin',
    });
    expect((await call('GET', `${API}/${job.id}`)).body).toEqual(changed.body);
    expect(await versions(job.id)).toEqual([2, 1]);
    const audit = await call('GET', `/api/v1/audit?action=jobs.updateJob&resourcePrefix=jobs/${job.id}`);
    expect(audit.body.items.map((e: { outcome: string; detail?: string }) => [e.outcome, e.detail])).toEqual([
      ['success', 'fields: schedule, concurrencyPolicy'],
    ]);
  });

  it('merges objects field by field, removes what is null (back to its default), and replaces arrays whole', async () => {
    const job = await create(count('merges', { sparkConf: { 'spark.a': '1', 'spark.b': '2' }, tags: ['x', 'y'] }));
    const changed = await patch(job.id, {
      driver: { cores: 2 },
      sparkConf: { 'spark.a': null, 'spark.c': '3' },
      timeoutSeconds: null,
      retry: null,
      tags: ['z'],
      description: 'counts',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({
      version: 2,
      driver: { cores: 2, memory: '512m' },
      sparkConf: { 'spark.b': '2', 'spark.c': '3' },
      retry: { maxAttempts: 1, backoffSeconds: 30 },
      tags: ['z'],
      description: 'counts',
    });
    expect(changed.body).not.toHaveProperty('timeoutSeconds');
    expect(changed.body.sparkConf).not.toHaveProperty('spark.a');
  });

  it('writes no version for a patch that changes nothing, so the same patch twice is one change', async () => {
    const job = await create(count('twice'));
    const body = { schedule: { cron: '0 3 * * *' }, retry: { maxAttempts: 2 } };
    expect((await patch(job.id, body)).body.version).toBe(2);
    const again = await patch(job.id, body);
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe('"2"');
    expect(again.body.version).toBe(2);
    expect((await patch(job.id, {})).body.version).toBe(2);
    expect(await versions(job.id)).toEqual([2, 1]);
  });

  it('refuses a stale If-Match with 409 and a malformed one with 400, changing nothing', async () => {
    const job = await create(count('stale'));
    expect((await patch(job.id, { arguments: ['1'] }, { 'if-match': '"1"' })).status).toBe(200);
    const stale = await patch(job.id, { arguments: ['2'] }, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/at version 2, not 1/);
    const malformed = await patch(job.id, { arguments: ['2'] }, { 'if-match': 'yesterday' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/If-Match/);
    expect((await call('GET', `${API}/${job.id}`)).body).toMatchObject({ version: 2, arguments: ['1'] });
  });

  it('lets one of two concurrent patches on the same version through, and answers the other 409', async () => {
    const job = await create(count('race'));
    const answers = await Promise.all(['a', 'b'].map((arg) => patch(job.id, { arguments: [arg] }, { 'if-match': '"1"' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await versions(job.id)).toEqual([2, 1]);
  });

  it.each([
    ['a value the schema refuses', { driver: { memory: '9999g' } }, 'driver.memory', /more than 512g|must match/],
    ['an invalid cron', { schedule: { cron: '61 * * * *' } }, 'schedule.cron', /minute/],
    ['a required field removed', { mainApplicationFile: null }, 'mainApplicationFile', /is required/],
    ['an unknown field', { colour: 'blue' }, 'colour', /not a known field/],
    ['an unknown nested field', { retry: { forever: true } }, 'retry.forever', /not a known field/],
    ['a rule across fields', { type: 'scala' }, 'mainClass', /required for scala jobs/],
    ['a wrong type', { arguments: 'one' }, 'arguments', /must be array/],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_what, body, field, message) => {
    const job = await create(count(`bad-${field.replace(/[^a-z]/gi, '').toLowerCase()}`));
    const r = await patch(job.id, body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    const problems = r.body.errors as Array<{ field: string; message: string }>;
    expect(
      problems.some((e) => e.field === field && message.test(e.message)),
      JSON.stringify(problems),
    ).toBe(true);
    expect(await versions(job.id)).toEqual([1]);
  });

  it('takes application/merge-patch+json and application/json, and refuses a JSON Patch (RFC 6902) or a non-object with the reason', async () => {
    const job = await create(count('media'));
    expect((await patch(job.id, { arguments: ['1'] }, { 'content-type': 'application/json' })).status).toBe(200);
    const jsonPatch = await patch(job.id, [{ op: 'replace', path: '/arguments', value: ['2'] }], { 'content-type': 'application/json-patch+json' });
    expect(jsonPatch.status).toBe(415);
    expect(jsonPatch.body.detail).toMatch(/application\/merge-patch\+json/);
    expect((await patch(job.id, 'arguments=3', { 'content-type': 'text/plain' })).status).toBe(415);
    const array = await patch(job.id, [{ op: 'replace' }]);
    expect(array.status).toBe(400);
    expect((await call('GET', `${API}/${job.id}`)).body).toMatchObject({ version: 2, arguments: ['1'] });
  });

  it('is authorized as PUT is: members change their own jobs only, give them to nobody, and stay under the executor cap', async () => {
    const theirs = await create(count('admins-job'));
    const mine = await create(count('adas-job'), ada);
    expect((await patch(theirs.id, { arguments: ['1'] }, {}, ada)).status).toBe(403);
    expect((await patch(mine.id, { arguments: ['1'] }, {}, ada)).status).toBe(200);
    const giveAway = await patch(mine.id, { owner: 'bob' }, {}, ada);
    expect(giveAway.status).toBe(403);
    expect(giveAway.body.detail).toMatch(/only admins/);
    const big = await patch(mine.id, { executor: { instances: 200 } }, {}, ada);
    expect(big.status).toBe(403);
    expect(big.body.detail).toMatch(/at most 50 executors, not 200/);
    // An admin gives it away; a patch that leaves the owner out keeps it.
    expect((await patch(mine.id, { owner: 'bob' })).body.owner).toBe('bob');
    expect((await patch(mine.id, { description: 'bob now' })).body).toMatchObject({ owner: 'bob', version: 4 });
    expect((await patch('00000000-0000-4000-8000-000000000000', { arguments: ['1'] })).status).toBe(404);
  });

  it('is in the OpenAPI document, with the merge patch media type', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const op = doc.paths['/api/v1/jobs/{id}'].patch;
    expect(op.operationId).toBe('jobs.updateJob');
    expect(Object.keys(op.requestBody.content)).toEqual([MERGE_PATCH, 'application/json']);
    expect(op.requestBody.content[MERGE_PATCH].schema.properties).toHaveProperty('schedule');
    expect(op.responses['200']).toBeTruthy();
  });
});
