import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduler } from '../../functions/scheduler/index.js';
import { dueSlots } from '../../functions/scheduler/domain/slots.js';
import { tick } from '../../functions/scheduler/handlers/tick.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The scheduler on simulated time. Three scheduler processes on one PostgreSQL, each tick delivered twice (duplicated
 * pings), over 60 simulated minutes and 100 schedules: exactly one run per (job, slot). Then, on one process, the
 * catch-up and concurrency policies.
 */
const MINUTE = 60_000;
// No real submissions: a runtime that cannot reach a cluster keeps the runs QUEUED (the failure is only logged).
const QUIET = {
  LAKEPLANE_JOBS_RUNTIME: 'kubernetes',
  LAKEPLANE_KUBECONFIG: '/nonexistent/kubeconfig',
  LAKEPLANE_SCHEDULER_TICK_MS: '60000',
  LAKEPLANE_JOBS_SUPERVISE_MS: '60000',
};
const job = (name: string, schedule: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'python',
  mainApplicationFile: 'local:///app.py',
  schedule,
  ...extra,
});

const postgres = backends().includes('postgres');

describe.skipIf(!postgres)('the scheduler with three replicas and duplicated pings (PostgreSQL)', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let c: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    a = await startPlatform('postgres', { env: QUIET });
    b = await startPlatform('postgres', { sharedDatabaseOf: a, functions: [scheduler], env: QUIET });
    c = await startPlatform('postgres', { sharedDatabaseOf: a, functions: [scheduler], env: QUIET });
    admin = await a.adminToken();
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await b?.close();
    await a?.close();
  });

  it('starts exactly one run per (job, slot) over 60 minutes of 100 schedules', async () => {
    const crons = ['*/10 * * * *', '*/15 * * * *', '5,35 * * * *', '* * * * *'];
    for (let i = 0; i < 100; i++) {
      const r = await a.call('POST', '/api/v1/jobs', { token: admin, body: job(`sched-${i}`, { cron: crons[i % crons.length], catchUp: 'all' }) });
      expect(r.status).toBe(201);
    }
    const db = a.running.platform.store.db;
    const start = new Date();
    for (let m = 1; m <= 60; m++) {
      const now = new Date(start.getTime() + m * MINUTE);
      await Promise.all([a, b, c, a, b, c].map((p) => tick(p.running.platform, now)));
    }
    const end = new Date(start.getTime() + 60 * MINUTE);
    const jobs = await db.selectFrom('jobs').select(['id', 'spec', 'updated_at']).where('name', 'like', 'sched-%').execute();
    let expected = 0;
    for (const j of jobs) expected += dueSlots((j.spec as any).schedule.cron, 'UTC', j.updated_at, end).length;
    const runs = await db.selectFrom('job_runs').select(['job_id', 'trigger_ref']).where('trigger', '=', 'schedule').execute();
    const keys = new Set(runs.map((r) => `${r.job_id} ${r.trigger_ref}`));
    expect(keys.size).toBe(runs.length);
    expect(runs.length).toBe(expected);
    expect(expected).toBeGreaterThan(100 * 4);
    const slots = await db
      .selectFrom('job_schedule_slots')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('outcome', '=', 'started')
      .executeTakeFirstOrThrow();
    expect(Number(slots.n)).toBe(expected);
  }, 240_000);
});

describe.each(backends())('schedule policies on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  const runsOf = async (jobId: string) =>
    (await p.call('GET', `/api/v1/runs?job=${jobId}`, { token: admin })).body.items as Array<{
      id: string;
      state: string;
      trigger: string;
      triggerRef: string;
      message: string | null;
    }>;

  beforeAll(async () => {
    p = await startPlatform(backend, { env: QUIET });
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => p?.close());

  async function scheduled(name: string, schedule: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const r = await p.call('POST', '/api/v1/jobs', { token: admin, body: job(name, schedule, extra) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { id: r.body.id as string, created: new Date(r.body.updatedAt as string) };
  }
  const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MINUTE);

  it('after downtime: catch-up all starts every missed slot, last only the newest, none nothing', async () => {
    const all = await scheduled('catch-all', { cron: '*/10 * * * *', catchUp: 'all' });
    const last = await scheduled('catch-last', { cron: '*/10 * * * *', catchUp: 'last' });
    const none = await scheduled('catch-none', { cron: '*/10 * * * *', catchUp: 'none' });
    // The first tick comes an hour late: five minutes after the first slot past the hour, so the newest due slot is
    // older than the grace (how many slots fall in that hour depends on the minute the jobs were made).
    const late = new Date(dueSlots('*/10 * * * *', 'UTC', at(all.created, 60), at(all.created, 75))[0]!.getTime() + 5 * MINUTE);
    await tick(p.running.platform, late);
    expect((await runsOf(all.id)).length).toBe(dueSlots('*/10 * * * *', 'UTC', all.created, late).length);
    expect((await runsOf(last.id)).length).toBe(1);
    expect((await runsOf(none.id)).length).toBe(0);
    // From then on every process is on time; a redelivered tick starts nothing new.
    const next = dueSlots('*/10 * * * *', 'UTC', late, at(late, 15))[0]!;
    await tick(p.running.platform, new Date(next.getTime() + 20_000));
    await tick(p.running.platform, new Date(next.getTime() + 30_000));
    expect((await runsOf(none.id)).map((r) => r.triggerRef)).toEqual([next.toISOString()]);
    expect((await runsOf(last.id)).length).toBe(2);
  });

  it('a paused schedule starts nothing; Forbid skips while a run is in progress; Replace cancels it', async () => {
    const paused = await scheduled('paused', { cron: '* * * * *', paused: true });
    const forbid = await scheduled('forbid', { cron: '*/5 * * * *', catchUp: 'all' }, { concurrencyPolicy: 'Forbid' });
    const replace = await scheduled('replace', { cron: '*/5 * * * *', catchUp: 'all' }, { concurrencyPolicy: 'Replace' });
    await tick(p.running.platform, at(forbid.created, 11));
    expect(await runsOf(paused.id)).toEqual([]);
    // Forbid: the first slot's run is still QUEUED (nothing runs it here), so the second slot is skipped.
    const slotRows = await p.running.platform.store.db.selectFrom('job_schedule_slots').selectAll().where('job_id', '=', forbid.id).execute();
    expect((await runsOf(forbid.id)).length, JSON.stringify({ slotRows, runs: await runsOf(forbid.id) })).toBe(1);
    expect(slotRows.filter((s) => s.outcome === 'started')).toHaveLength(1);
    // Two or three slots fall in those 11 minutes, depending on the minute the job was made: all but the first skipped.
    const skipped = slotRows.filter((s) => s.outcome === 'skipped');
    expect(skipped.length).toBe(slotRows.length - 1);
    expect(skipped[0]!.reason).toMatch(/in progress \(concurrency policy Forbid\)/);
    // Replace: the earlier run is cancelled for the newer one.
    const replaced = await runsOf(replace.id);
    expect(replaced.filter((r) => r.state === 'QUEUED')).toHaveLength(1);
    expect(replaced.length).toBeGreaterThan(1);
    expect(replaced.filter((r) => r.state === 'CANCELLED')).toHaveLength(replaced.length - 1);
    expect(replaced.find((r) => r.state === 'CANCELLED')!.message).toMatch(/replaced by the run of slot/);
  });
});
