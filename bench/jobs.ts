// `npm run bench:jobs` (issue 4): the Spark jobs paths that must keep up, measured in this process on the real
// components, against the targets:
//
//   submit      KubernetesRuntime.submit: SparkApplication created on a real Kubernetes API server
//               (scripts/start-kube-apiserver.sh, LAKEPLANE_KUBECONFIG) with the CRD from ../shared/ref, 100 at a
//               time, 5 rounds: p50/p99 per submit (target p99 < 50 ms), interleaved with the same creates from a
//               bare node https client (the floor the API server allows), and one submit at a time
//   tick        one scheduler tick over 10,000 scheduled jobs on PostgreSQL (DATABASE_URL, a scratch database):
//               with nothing due, and with 1% due (100 runs started) (target < 1 s)
//   ingest      SparkApplication status events through the jobs function's consumers (the same path as
//               POST /cloudevents/jobs, without HTTP): 1,000 runs x 5 reports, 100 runs at a time (target >=
//               2,000/s) and 10 at a time, interleaved with the same consumers without group commit (one
//               transaction per report)
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
import { insertRun, sparkApplication, type JobSpec } from '../shared/domains/jobs/index.js';
import { createPlatform } from '../shared/platform/index.js';
import { EventConsumerSet } from '../shared/events/index.js';
import { KubernetesRuntime } from '../shared/runtime/kubernetes-runtime.js';
import { Value } from '@sinclair/typebox/value';
import { JobSpec as JobSpecSchema } from '../shared/domains/jobs/index.js';
import { connect, installSparkApplicationCrd, sparkApplicationCrdFile } from '../test/support/kube.js';
import { writeResults } from './lib/report.js';
import { percentile } from './lib/stats.js';
import { prepareDatabase } from './lib/postgres.js';
import { runNode, stolenMs } from './lib/proc.js';
import { bareCreator } from './lib/kube-peer.js';
import { backgroundCores } from './lib/quiet.js';
import os from 'node:os';
import { existsSync, readFileSync } from 'node:fs';

/** What else the machine was doing: other processes' CPU while the bench slept 1.5 s, and the load average. */
const loadNote = (cores: number | undefined) =>
  `other processes used ${cores?.toFixed(2) ?? 'n/a'} of ${os.cpus().length} cores (1.5 s sample); load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`;

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const { values: argv } = parseArgs({ options: { 'no-write': { type: 'boolean' }, only: { type: 'string' } } });
// --only submit,tick,ingest: a part of the bench while working on it (implies --no-write).
const only = argv.only ? new Set(argv.only.split(',')) : undefined;
const wanted = (part: string) => !only || only.has(part);
const progress = (m: string) => process.stderr.write(`[bench:jobs] ${m}\n`);
const rows: string[][] = [];
const ms = (n: number) => n.toFixed(1);

const baseUrl = process.env['DATABASE_URL'];
const kubeconfig = process.env['LAKEPLANE_KUBECONFIG'];
if (!baseUrl) throw new Error('DATABASE_URL is not set (scripts/start-postgres.sh)');

const spec = (name: string, extra: Record<string, unknown> = {}) =>
  Value.Default(JobSpecSchema, { name, type: 'python', mainApplicationFile: 'local:///app.py', ...extra }) as JobSpec;

// --- submit --------------------------------------------------------------------------------------------------------
if (kubeconfig && wanted('submit')) {
  const crd = sparkApplicationCrdFile();
  if (!crd.ok) throw new Error(crd.why);
  const kube = await connect(kubeconfig);
  await installSparkApplicationCrd(kube, crd.value);
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const runtime = new KubernetesRuntime(namespace, kubeconfig);
  const peer = bareCreator(kubeconfig, namespace);
  const s = spec('bench');
  const appOf = () => sparkApplication(s, {}, { jobId: randomUUID(), runId: randomUUID(), attempt: 1 }, { namespace });
  // Warm-up: the client loaded, connections up, the API server's caches for the resource filled.
  for (let i = 0; i < 20; i++) await Promise.all([runtime.submit(appOf()), peer.create(appOf())]);
  const ours: number[] = [];
  const bare: number[] = [];
  // The API server's and etcd's own CPU during the bare client's creates (scripts/start-kube-apiserver.sh leaves their
  // pids beside the kubeconfig): what each create costs the server, so what 100 at once must take on this machine.
  const serverPids = ['apiserver', 'etcd']
    .map((n) => path.join(path.dirname(kubeconfig), `${n}.pid`))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8').trim());
  const serverCpuMs = () =>
    serverPids.reduce((sum, pid) => {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return sum + ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
      } catch {
        return sum;
      }
    }, 0);
  let bareServerCpu = 0;
  const burst = async (into: number[], one: (app: ReturnType<typeof appOf>) => Promise<unknown>) => {
    const apps = Array.from({ length: 100 }, appOf);
    await Promise.all(
      apps.map(async (app) => {
        const t0 = performance.now();
        await one(app);
        into.push(performance.now() - t0);
      }),
    );
  };
  // Rounds interleaved, ours then the peer's, so both see the same machine.
  const before = await backgroundCores(1500);
  for (let round = 0; round < 5; round++) {
    progress(`submit: round ${round + 1}/5, 100 concurrent, ours and the bare peer's`);
    await burst(ours, async (app) => {
      const r = await runtime.submit(app);
      if (r.rejected) throw new Error(r.rejected);
    });
    const cpu0 = serverCpuMs();
    await burst(bare, async (app) => {
      const status = await peer.create(app);
      if (status !== 201) throw new Error(`bare create: HTTP ${status}`);
    });
    bareServerCpu += serverCpuMs() - cpu0;
  }
  // One at a time: what a lone submit costs, ours and the peer's.
  const serialOurs: number[] = [];
  const serialBare: number[] = [];
  for (let i = 0; i < 50; i++) {
    let t0 = performance.now();
    await runtime.submit(appOf());
    serialOurs.push(performance.now() - t0);
    t0 = performance.now();
    await peer.create(appOf());
    serialBare.push(performance.now() - t0);
  }
  peer.close();
  await runtime.stop();
  const p99 = percentile(ours, 99);
  const bareP99 = percentile(bare, 99);
  rows.push([
    'submit: SparkApplication created, 100 concurrent (500 in all)',
    `p50 ${ms(percentile(ours, 50))} ms, p99 ${ms(p99)} ms`,
    'p99 < 50 ms',
    p99 < 50 ? 'PASS' : 'FAIL',
  ]);
  rows.push([
    "the same creates from a bare client (node https, keep-alive): the API server's floor",
    `p50 ${ms(percentile(bare, 50))} ms, p99 ${ms(bareP99)} ms; ours/bare p99 ${(p99 / bareP99).toFixed(2)}x`,
    '',
    '',
  ]);
  if (serverPids.length === 2) {
    const perCreate = bareServerCpu / bare.length;
    const cores = os.cpus().length;
    rows.push([
      'the API server + etcd CPU per create (bare rounds, from /proc)',
      `${perCreate.toFixed(2)} ms: 100 creates need ${(perCreate * 100).toFixed(0)} ms of CPU, at least ${((perCreate * 100) / cores).toFixed(0)} ms on ${cores} cores before any client or queueing`,
      '',
      '',
    ]);
  }
  rows.push([
    'one submit at a time (50), ours / bare',
    `p50 ${ms(percentile(serialOurs, 50))} / ${ms(percentile(serialBare, 50))} ms, p99 ${ms(percentile(serialOurs, 99))} / ${ms(percentile(serialBare, 99))} ms`,
    '',
    '',
  ]);
  rows.push(['machine before the submit rounds', loadNote(before), '', '']);
} else {
  progress('submit: skipped, LAKEPLANE_KUBECONFIG is not set (eval "$(scripts/start-kube-apiserver.sh)")');
  rows.push(['submit: SparkApplication created, 100 concurrent', 'not measured: no API server (LAKEPLANE_KUBECONFIG)', 'p99 < 50 ms', 'n/a']);
}

// --- tick and ingest, on a scratch database -----------------------------------------------------------------------
progress('building dist/migrate.js for the scratch database');
await runNode(['scripts/build.mjs'], process.env);
const db = await prepareDatabase(baseUrl, path.join(root, 'dist/migrate.js'));
try {
  const config = loadConfig({
    LAKEPLANE_MODE: 'embedded',
    DATABASE_URL: db.url,
    PORT: '0',
    LAKEPLANE_LOG_LEVEL: 'silent',
    LAKEPLANE_JOBS_RUNTIME: 'kubernetes',
    LAKEPLANE_KUBECONFIG: '/nonexistent',
    LAKEPLANE_SCHEDULER_TICK_MS: '60000',
    LAKEPLANE_JOBS_SUPERVISE_MS: '60000',
    LAKEPLANE_ADMIN_PASSWORD: 'bench-admin-password',
  });
  const running = await createPlatform(config, [jobsFunction, scheduler], createLogger('silent'));
  const platform = running.platform;
  const consumers = running.consumers.get('jobs')!;
  try {
    rows.push(['machine before the tick and ingest', loadNote(await backgroundCores(1500)), '', '']);
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
        // Each made at its own moment (0.1 s apart, all within 17 minutes, so all are older than the due tick below),
        // as jobs are: no two share a starting point for their slots.
        const at = new Date(created.getTime() + n * 100);
        return { id: randomUUID(), name: `sched-${n}`, owner: 'bench', spec: stored(`sched-${n}`, cron), created_at: at, updated_at: at };
      });
      await platform.store.db.insertInto('jobs').values(values).execute();
      await platform.store.db
        .insertInto('job_versions')
        .values(values.map((v) => ({ job_id: v.id, version: 1, spec: v.spec })))
        .execute();
    }
    // A minute with nothing due (not 03:00, not minute 7), then minute 7 of the next hour (100 due).
    if (wanted('tick')) {
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
    }

    if (wanted('ingest')) {
      const job = await platform.store.db.selectFrom('jobs').selectAll().where('name', '=', 'sched-1').executeTakeFirstOrThrow();
      const states = ['', 'SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED'];
      // 500 runs x 5 reports through a consumer set: each run's reports in order (as a watch sends them), so many runs
      // at a time.
      const ingest = async (set: EventConsumerSet, runsAtATime: number) => {
        const runIds: string[] = [];
        for (let i = 0; i < 500; i++)
          runIds.push(
            (await platform.store.db.transaction().execute((tx) => insertRun(tx, platform, job, { trigger: 'manual', requestedBy: 'bench', overrides: {} })))
              .id,
          );
        const byRun = runIds.map((runId) => {
          const app = sparkApplication(job.spec as unknown as JobSpec, {}, { jobId: job.id, runId, attempt: 1 }, { namespace: 'bench' });
          return states.map((state, i) => ({
            id: randomUUID(),
            type: `dev.knative.apiserver.resource.${i === 0 ? 'add' : 'update'}`,
            source: 'bench',
            specversion: '1.0' as const,
            data: { ...app, metadata: { ...app.metadata, resourceVersion: String(10 + i) }, status: { applicationState: { state } } },
          }));
        });
        const start = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: runsAtATime }, async () => {
            while (next < byRun.length) {
              const mine = byRun[next++]!;
              for (const e of mine) await set.consume(platform, e);
            }
          }),
        );
        const seconds = (performance.now() - start) / 1000;
        const done = await platform.store.db
          .selectFrom('job_runs')
          .select(sql<string>`count(*)`.as('n'))
          .where('state', '=', 'SUCCEEDED')
          .where('id', 'in', runIds)
          .executeTakeFirstOrThrow();
        return { events: runIds.length * states.length, seconds, succeeded: Number(done.n) };
      };
      // The peer: the same consumers without group commit (one transaction per report, as before batching).
      const unbatched = new EventConsumerSet(
        'jobs-unbatched',
        jobsFunction.consumes
          .filter((c) => c.type.startsWith('dev.knative.apiserver.'))
          .map((c) => ({ ...c, handleBatch: undefined, handleBatchRecordingKeys: undefined })),
      );
      // The target is judged with 100 runs' reports in flight: status events come fast only when many applications
      // change at once, and then that many deliveries are in flight (the broker delivers concurrently). With 10 in
      // flight the rate is bound by each batch's round trips; it is reported too.
      type Total = { events: number; seconds: number; succeeded: number; stolenMs: number };
      const zero = (): Total => ({ events: 0, seconds: 0, succeeded: 0, stolenMs: 0 });
      const totals = { 100: { ours: zero(), peer: zero() }, 10: { ours: zero(), peer: zero() } };
      for (let round = 0; round < 2; round++) {
        for (const runsAtATime of [100, 10] as const) {
          for (const [which, set] of [
            ['ours', consumers],
            ['peer', unbatched],
          ] as const) {
            progress(
              `ingest: round ${round + 1}/2, ${which === 'ours' ? "the jobs function's consumers" : 'one transaction per report'}: 500 runs x 5 status reports, ${runsAtATime} runs at a time`,
            );
            const stolen0 = stolenMs();
            const r = await ingest(set, runsAtATime);
            const t = totals[runsAtATime][which];
            t.stolenMs += (stolenMs() ?? 0) - (stolen0 ?? 0);
            t.events += r.events;
            t.seconds += r.seconds;
            t.succeeded += r.succeeded;
          }
        }
      }
      const rateOf = (t: Total) => t.events / t.seconds;
      const wide = totals[100];
      const rate = rateOf(wide.ours);
      rows.push([
        `history ingest: ${wide.ours.events.toLocaleString('en-US')} status events, 100 runs at a time (${wide.ours.succeeded} runs ended SUCCEEDED)`,
        `${Math.round(rate).toLocaleString('en-US')} events/s`,
        '>= 2,000/s',
        rate >= 2000 ? 'PASS' : 'FAIL',
      ]);
      rows.push([
        `the same without group commit, one transaction per report (${wide.peer.succeeded} SUCCEEDED), interleaved`,
        `${Math.round(rateOf(wide.peer)).toLocaleString('en-US')} events/s; ours ${(rate / rateOf(wide.peer)).toFixed(2)}x`,
        '',
        '',
      ]);
      const narrow = totals[10];
      rows.push([
        `the same 10 runs at a time (${narrow.ours.succeeded} SUCCEEDED): ours / one transaction per report`,
        `${Math.round(rateOf(narrow.ours)).toLocaleString('en-US')} / ${Math.round(rateOf(narrow.peer)).toLocaleString('en-US')} events/s; ours ${(rateOf(narrow.ours) / rateOf(narrow.peer)).toFixed(2)}x`,
        '',
        '',
      ]);
      const steal = (t: Total) => `${(t.stolenMs / 1000).toFixed(1)} s of ${(t.seconds * 2).toFixed(1)} core-s`;
      rows.push([
        'CPU the host took from this VM meanwhile (steal, /proc/stat): ours / per report, 100 and 10 at a time',
        `${steal(wide.ours)} / ${steal(wide.peer)}; ${steal(narrow.ours)} / ${steal(narrow.peer)}`,
        '',
        '',
      ]);
    }
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
if (!argv['no-write'] && !only) {
  writeResults('bench/RESULTS.md', `## Spark jobs (issue 4)\n\n${text}\n`, { start: '<!-- jobs:start -->', end: '<!-- jobs:end -->' });
  progress('wrote the Spark jobs section of bench/RESULTS.md');
}
process.exit(0);
