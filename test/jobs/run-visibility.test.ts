import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Issue 19: every listing of runs shows what reading a run allows. A job given to a new owner keeps the runs of the
 * one before; its new owner must not see them in the job's runs, the run history or the job's statistics.
 */
const pi = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'python', mainApplicationFile: 'local:///opt/jobs/pi.py', ...extra });

describe.each(backends())("run listings apply the read's visibility on %s", (backend) => {
  let p: TestPlatform;
  let admin: string;
  let bo: string;

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_SPARK_SUBMIT: '/nonexistent/spark-submit' } });
    admin = await p.adminToken();
    for (const username of ['ada', 'bo'])
      expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username, password: `${username}-password-123` } })).status).toBe(201);
    bo = (await p.login('bo', 'bo-password-123')).body.access_token;
  }, 60_000);
  afterAll(async () => p?.close());

  it('a member sees in no listing a run of their job that they may not read', async () => {
    const job = await p.call('POST', '/api/v1/jobs', { token: admin, body: pi('changes-hands', { owner: 'ada' }) });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const adasRun = await p.call('POST', `/api/v1/jobs/${job.body.id}/runs`, { token: admin, body: {} });
    expect(adasRun.status, JSON.stringify(adasRun.body)).toBe(201);
    expect(adasRun.body.owner).toBe('ada');
    expect((await p.call('PUT', `/api/v1/jobs/${job.body.id}`, { token: admin, body: pi('changes-hands', { owner: 'bo' }) })).status).toBe(200);
    const bosRun = await p.call('POST', `/api/v1/jobs/${job.body.id}/runs`, { token: bo, body: {} });
    expect(bosRun.status, JSON.stringify(bosRun.body)).toBe(201);

    // The read refuses ada's run to bo ...
    expect((await p.call('GET', `/api/v1/runs/${adasRun.body.id}`, { token: bo })).status).toBe(403);
    // ... so no listing shows it to him; his own run he sees everywhere.
    const ofJob = await p.call('GET', `/api/v1/jobs/${job.body.id}/runs`, { token: bo });
    expect(ofJob.status).toBe(200);
    expect(ofJob.body.items.map((r: { id: string }) => r.id)).toEqual([bosRun.body.id]);
    const history = await p.call('GET', `/api/v1/runs?job=${job.body.id}`, { token: bo });
    expect(history.body.items.map((r: { id: string }) => r.id)).toEqual([bosRun.body.id]);
    const stats = await p.call('GET', `/api/v1/runs/stats?job=${job.body.id}`, { token: bo });
    expect(stats.status).toBe(200);
    expect(stats.body.runs).toBe(1);
    expect(JSON.stringify(stats.body)).not.toContain(adasRun.body.id);

    // Admins still see both, in every listing.
    const all = await p.call('GET', `/api/v1/jobs/${job.body.id}/runs`, { token: admin });
    expect(all.body.items.map((r: { id: string }) => r.id).sort()).toEqual([adasRun.body.id, bosRun.body.id].sort());
    expect((await p.call('GET', `/api/v1/runs/stats?job=${job.body.id}`, { token: admin })).body.runs).toBe(2);
  });
});
