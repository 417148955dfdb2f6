import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRun, sparkApplication, type JobSpec } from '../../shared/domains/jobs/index.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Status reports as the ApiServerSource delivers them (binary CloudEvents over HTTP to /cloudevents/jobs), duplicated
 * (the same event again, and the same state under a new event id) and shuffled: every run ends in the right state,
 * and its timeline has no row twice and never goes backwards.
 */
const REPORTS = ['', 'SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED'];
const ORDER = ['QUEUED', 'SUBMITTED', 'RUNNING', 'SUCCEEDED'];

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(backends())('run status from duplicated and shuffled SparkApplication events on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let jobId: string;

  beforeAll(async () => {
    // A runtime that cannot submit: the reports below are the only thing that moves the runs.
    p = await startPlatform(backend, { env: { LAKEPLANE_SPARK_SUBMIT: '/nonexistent/spark-submit', LAKEPLANE_JOBS_SUPERVISE_MS: '60000' } });
    admin = await p.adminToken();
    const job = await p.call('POST', '/api/v1/jobs', { token: admin, body: { name: 'reported', type: 'python', mainApplicationFile: 'local:///app.py' } });
    expect(job.status).toBe(201);
    jobId = job.body.id;
  }, 60_000);
  afterAll(async () => p?.close());

  async function deliver(change: 'add' | 'update', app: object, id: string) {
    const message = HTTP.binary(
      new CloudEvent({ id, type: `dev.knative.apiserver.resource.${change}`, source: 'https://kubernetes.default.svc', data: app }, false),
    );
    const r = await fetch(`${p.url}/cloudevents/jobs`, {
      method: 'POST',
      headers: { ...(message.headers as Record<string, string>), authorization: `Bearer ${admin}` },
      body: message.body as string,
    });
    expect(r.status, await r.clone().text()).toBe(200);
    return ((await r.json()) as { outcome: string }).outcome;
  }

  it('ends every run SUCCEEDED with an ordered timeline and no duplicate rows, whatever the order', async () => {
    const db = p.running.platform.store.db;
    const job = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    for (let seed = 1; seed <= 12; seed++) {
      // A run stored as POST /runs stores it, without handing it to the runtime.
      const run = await db.transaction().execute((tx) => insertRun(tx, p.running.platform, job, { trigger: 'manual', requestedBy: 'test', overrides: {} }));
      const app = sparkApplication(job.spec as unknown as JobSpec, {}, { jobId, runId: run.id, attempt: 1 }, { namespace: 'lakeplane-jobs' });
      const reports = REPORTS.map((state, i) => ({
        change: (i === 0 ? 'add' : 'update') as 'add' | 'update',
        id: randomUUID(),
        app: { ...app, metadata: { ...app.metadata, resourceVersion: String(100 + i) }, status: { applicationState: { state } } },
      }));
      // Each report twice as the same event, and once more under a new id (a relist after a watch restart).
      const deliveries = shuffled([...reports, ...reports, ...reports.map((r) => ({ ...r, id: randomUUID() }))], seed);
      const outcomes = [];
      for (const d of deliveries) outcomes.push(await deliver(d.change, d.app, d.id));
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(reports.length);

      const detail = await p.call('GET', `/api/v1/runs/${run.id}`, { token: admin });
      expect(detail.body.state, `seed ${seed}`).toBe('SUCCEEDED');
      expect(detail.body.attemptDetails[0]).toMatchObject({ state: 'SUCCEEDED', appState: 'COMPLETED' });
      const states = ((await p.call('GET', `/api/v1/runs/${run.id}/timeline`, { token: admin })).body.items as Array<{ state: string }>).map((e) => e.state);
      expect(states[0]).toBe('QUEUED');
      expect(states.at(-1)).toBe('SUCCEEDED');
      expect(new Set(states).size, `seed ${seed}: ${states.join(' ')}`).toBe(states.length);
      const ranks = states.map((s) => ORDER.indexOf(s));
      expect(ranks, `seed ${seed}: ${states.join(' ')}`).toEqual([...ranks].sort((a, b) => a - b));
    }
    // The job's statistics count them.
    const stats = await p.call('GET', `/api/v1/runs/stats?job=${jobId}&last=5`, { token: admin });
    expect(stats.status, JSON.stringify(stats.body)).toBe(200);
    expect(stats.body).toMatchObject({ jobId, runs: 12, byState: { SUCCEEDED: 12 }, successRate: 1 });
    expect(stats.body.lastOutcomes).toHaveLength(5);
    expect(stats.body.lastOutcomes.every((o: { state: string }) => o.state === 'SUCCEEDED')).toBe(true);
    expect((await p.call('GET', `/api/v1/runs/stats?job=${randomUUID()}`, { token: admin })).status).toBe(404);
  }, 120_000);

  it('delivered all at once (consumed in shared transactions), every run still ends right, each event handled once', async () => {
    const db = p.running.platform.store.db;
    const job = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    const runs = [];
    const deliveries = [];
    for (let i = 0; i < 8; i++) {
      const run = await db.transaction().execute((tx) => insertRun(tx, p.running.platform, job, { trigger: 'manual', requestedBy: 'test', overrides: {} }));
      runs.push(run.id);
      const app = sparkApplication(job.spec as unknown as JobSpec, {}, { jobId, runId: run.id, attempt: 1 }, { namespace: 'lakeplane-jobs' });
      const reports = REPORTS.map((state, n) => ({
        change: (n === 0 ? 'add' : 'update') as 'add' | 'update',
        id: randomUUID(),
        app: { ...app, metadata: { ...app.metadata, resourceVersion: String(100 + n) }, status: { applicationState: { state } } },
      }));
      deliveries.push(...reports, ...reports);
    }
    const outcomes = await Promise.all(shuffled(deliveries, 7).map((d) => deliver(d.change, d.app, d.id)));
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(deliveries.length / 2);
    for (const id of runs) {
      expect((await p.call('GET', `/api/v1/runs/${id}`, { token: admin })).body.state).toBe('SUCCEEDED');
      const states = ((await p.call('GET', `/api/v1/runs/${id}/timeline`, { token: admin })).body.items as Array<{ state: string }>).map((e) => e.state);
      expect(new Set(states).size, states.join(' ')).toBe(states.length);
      const ranks = states.map((s) => ORDER.indexOf(s));
      expect(ranks, states.join(' ')).toEqual([...ranks].sort((a, b) => a - b));
      expect(states.at(-1)).toBe('SUCCEEDED');
    }
  }, 120_000);

  it('a report that is not a SparkApplication is refused with 400; one about nothing of ours changes nothing', async () => {
    const bad = HTTP.binary(new CloudEvent({ id: randomUUID(), type: 'dev.knative.apiserver.resource.update', source: 'x', data: { metadata: {} } }, false));
    const r = await fetch(`${p.url}/cloudevents/jobs`, {
      method: 'POST',
      headers: { ...(bad.headers as Record<string, string>), authorization: `Bearer ${admin}` },
      body: bad.body as string,
    });
    expect(r.status).toBe(400);
    expect(
      await deliver(
        'update',
        { metadata: { name: 'someone-elses', resourceVersion: '5', labels: {} }, status: { applicationState: { state: 'FAILED' } } },
        randomUUID(),
      ),
    ).toBe('handled');
  });
});
