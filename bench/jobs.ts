// `npm run bench:jobs` (issue 4): the Spark jobs paths that must keep up, measured in this process on the real
// components, against the targets:
//
//   submit      KubernetesRuntime.submit: SparkApplication created on a real Kubernetes API server
//               (scripts/start-kube-apiserver.sh, LAKEPLANE_KUBECONFIG) with the CRD from ../shared/ref, 100 at a
//               time, 5 rounds: p50/p99 per submit (target p99 < 50 ms)
//   tick        one scheduler tick over 10,000 scheduled jobs on PostgreSQL (DATABASE_URL, a scratch database):
//               with nothing due, and with 1% due (100 runs started) (target < 1 s)
//   ingest      SparkApplication status events through the jobs function's consumer (the same path as
//               POST /cloudevents/jobs, without HTTP): 1,000 runs x 5 reports, 10 at a time (target >= 2,000/s)
//
// Prints a table and writes the "Spark jobs" section of bench/RESULTS.md (--no-write: print only).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { jobs as jobsFunction } from '../functions/jobs/index.js';
import { scheduler } from '../functions/scheduler/index.js';
import { tick } from '../functions/scheduler/handlers/tick.js';
import { loadConfig } from '../shared/config/index.js';
import { createLogger } from '../shared/log/index.js';
import { insertRun, sparkApplication, type JobSpec } from '../shared/jobs/index.js';
import { createPlatform } from '../shared/platform/index.js';
import { KubernetesRuntime } from '../shared/runtime/kubernetes-runtime.js';
import { Value } from '@sinclair/typebox/value';
import { JobSpec as JobSpecSchema } from '../shared/jobs/index.js';
import { connect, installSparkApplicationCrd, sparkApplicationCrdFile } from '../test/support/kube.js';
import { writeResults } from './lib/report.js';
import { percentile } from './lib/stats.js';
import { prepareDatabase } from './lib/postgres.js';
import { runNode } from './lib/proc.js';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const { values: argv } = parseArgs({ options: { 'no-write': { type: 'boolean' } } });
const progress = (m: string) => process.stderr.write(`[bench:jobs] ${m}\n`);
const rows: string[][] = [];
const ms = (n: number) => n.toFixed(1);

const baseUrl = process.env['DATABASE_URL'];
const kubeconfig = process.env['LAKEPLANE_KUBECONFIG'];
if (!baseUrl) throw new Error('DATABASE_URL is not set (scripts/start-postgres.sh)');

const spec = (name: string, extra: Record<string, unknown> = {}) => Value.Default(JobSpecSchema, { name, type: 'python', mainApplicationFile: 'local:///app.py', ...extra }) as JobSpec;

// --- submit --------------------------------------------------------------------------------------------------------
if (kubeconfig) {
  const crd = sparkApplicationCrdFile();
  if (!crd.ok) throw new Error(crd.why);
  const kube = await connect(kubeconfig);
  await installSparkApplicationCrd(kube, crd.value);
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const runtime = new KubernetesRuntime(namespace, kubeconfig);
  const s = spec('bench');
  await runtime.submit(sparkApplication(s, {}, { jobId: randomUUID(), runId: randomUUID(), attempt: 1 }, { namespace })); // warm-up: client loaded, connection up
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    progress(`submit: round ${round + 1}/5, 100 concurrent`);
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        const app = sparkApplication(s, {}, { jobId: randomUUID(), runId: randomUUID(), attempt: 1 }, { namespace });
        const t0 = performance.now();
        await runtime.submit(app);
        times.push(performance.now() - t0);
      }),
    );
  }
  const p99 = percentile(times, 99);
  rows.push(['submit: SparkApplication created, 100 concurrent (500 in all)', `p50 ${ms(percentile(times, 50))} ms, p99 ${ms(p99)} ms`, 'p99 < 50 ms', p99 < 50 ? 'PASS' : 'FAIL']);
} else {
  progress('submit: skipped, LAKEPLANE_KUBECONFIG is not set (eval "$(scripts/start-kube-apiserver.sh)")');
  rows.push(['submit: SparkApplication created, 100 concurrent', 'not measured: no API server (LAKEPLANE_KUBECONFIG)', 'p99 < 50 ms', 'n/a']);
}

// --- tick and ingest, on a scratch database -----------------------------------------------------------------------
progress('building dist/migrate.js for the scratch database');
await runNode(['scripts/build.mjs'], process.env);
const db = await prepareDatabase(baseUrl, path.join(root, 'dist/migrate.js'));
try {
  const config = loadConfig({ LAKEPLANE_MODE: 'embedded', DATABASE_URL: db.url, PORT: '0', LAKEPLANE_LOG_LEVEL: 'silent', LAKEPLANE_JOBS_RUNTIME: 'kubernetes', LAKEPLANE_KUBECONFIG: '/nonexistent', LAKEPLANE_SCHEDULER_TICK_MS: '60000', LAKEPLANE_JOBS_SUPERVISE_MS: '60000', LAKEPLANE_ADMIN_PASSWORD: 'bench-admin-password' });
  const running = await createPlatform(config, [jobsFunction, scheduler], createLogger('silent'));
  const platform = running.platform;
  try {
    progress('tick: 10,000 scheduled jobs');
    const base = spec('x');
    const stored = (name: string, cron: string) => {
      const { owner: _o, ...rest } = { ...base, name, schedule: { cron, timeZone: 'UTC', paused: false, catchUp: 'none' } };
      return JSON.stringify(rest);
    };
    const created = new Date(Date.now() - 3600_000);
    for (let chunk = 0; chunk < 10; chunk++) {
      const values = Array.from({ length: 1000 }, (_, i) => {
        const n = chunk * 1000 + i;
        // 1% run at minute 7 of the hour, the rest at 03:00 each day.
        const cron = n % 100 === 0 ? '7 * * * *' : '0 3 * * *';
        return { id: randomUUID(), name: `sched-${n}`, owner: 'bench', spec: stored(`sched-${n}`, cron), created_at: created, updated_at: created };
      });
      await platform.store.db.insertInto('jobs').values(values).execute();
      await platform.store.db.insertInto('job_versions').values(values.map((v) => ({ job_id: v.id, version: 1, spec: v.spec }))).execute();
    }
    // A minute with nothing due (not 03:00, not minute 7), then minute 7 of the next hour (100 due).
    const idle = new Date(created.getTime() + 10 * 60_000);
    idle.setUTCMinutes(idle.getUTCMinutes() === 7 ? 8 : idle.getUTCMinutes(), 30, 0);
    await tick(platform, idle); // warm-up (and settles the first hour's slots)
    const idleTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await tick(platform, new Date(idle.getTime() + (i + 1) * 1000));
      idleTimes.push(performance.now() - t0);
    }
    const due = new Date(idle);
    due.setUTCHours(due.getUTCHours() + 1, 7, 20, 0);
    const t0 = performance.now();
    const r = await tick(platform, due);
    const dueMs = performance.now() - t0;
    const idleMedian = percentile(idleTimes, 50);
    rows.push(['scheduler tick, 10,000 schedules, none due', `${ms(idleMedian)} ms (median of 5)`, '< 1 s', idleMedian < 1000 ? 'PASS' : 'FAIL']);
    rows.push([`scheduler tick, 10,000 schedules, ${r.started} due (runs started)`, `${ms(dueMs)} ms`, '< 1 s', dueMs < 1000 ? 'PASS' : 'FAIL']);

    progress('ingest: 1,000 runs x 5 status reports');
    const job = await platform.store.db.selectFrom('jobs').selectAll().where('name', '=', 'sched-1').executeTakeFirstOrThrow();
    const runIds: string[] = [];
    for (let i = 0; i < 1000; i++) runIds.push((await platform.store.db.transaction().execute((tx) => insertRun(tx, platform, job, { trigger: 'manual', requestedBy: 'bench', overrides: {} }))).id);
    const consumers = running.consumers.get('jobs')!;
    const states = ['', 'SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED'];
    const events = runIds.flatMap((runId) => {
      const app = sparkApplication(job.spec as unknown as JobSpec, {}, { jobId: job.id, runId, attempt: 1 }, { namespace: 'bench' });
      return states.map((state, i) => ({ id: randomUUID(), type: `dev.knative.apiserver.resource.${i === 0 ? 'add' : 'update'}`, source: 'bench', specversion: '1.0' as const, data: { ...app, metadata: { ...app.metadata, resourceVersion: String(10 + i) }, status: { applicationState: { state } } } }));
    });
    // Each run's reports in order (as a watch sends them), ten runs at a time.
    const byRun = runIds.map((_, i) => events.slice(i * 5, i * 5 + 5));
    const start = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < byRun.length) {
        const mine = byRun[next++]!;
        for (const e of mine) await consumers.consume(platform, e);
      }
    }));
    const seconds = (performance.now() - start) / 1000;
    const rate = events.length / seconds;
    const done = await platform.store.db.selectFrom('job_runs').select(sql<string>`count(*)`.as('n')).where('state', '=', 'SUCCEEDED').executeTakeFirstOrThrow();
    rows.push([`history ingest: ${events.length.toLocaleString('en-US')} status events (${done.n} runs ended SUCCEEDED)`, `${Math.round(rate).toLocaleString('en-US')} events/s`, '>= 2,000/s', rate >= 2000 ? 'PASS' : 'FAIL']);
  } finally {
    await running.stop();
  }
} finally {
  await db.drop();
}

const header = ['measure', 'result', 'target', ''];
const text = [
  `Run on ${new Date().toISOString()}: \`npm run bench:jobs\` (DATABASE_URL: PostgreSQL on loopback; LAKEPLANE_KUBECONFIG: scripts/start-kube-apiserver.sh).`,
  '',
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
console.log(text);
if (!argv['no-write']) {
  writeResults('bench/RESULTS.md', `## Spark jobs (issue 4)\n\n${text}\n`, { start: '<!-- jobs:start -->', end: '<!-- jobs:end -->' });
  progress('wrote the Spark jobs section of bench/RESULTS.md');
}
process.exit(0);
