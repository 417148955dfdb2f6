// `npm run bench`: throughput and latency of GET /api/v1/me (JWT and PAT; PGlite, and PostgreSQL when DATABASE_URL
// is set) and the cold start of one function against a bare Node HTTP server. Prints the tables and rewrites the
// results section of bench/RESULTS.md. Every server under test is a child process started from the built output
// (dist/serve.js, built first), listening on 127.0.0.1 only; the load generator is another child (bench/load.mjs).
// Everything stops by itself; a full run takes about 2.5 minutes on 2 cores (at most ~3 with --quiet-wait).
//
// Options (defaults in brackets):
//   --duration=S       seconds per measured throughput run [5]
//   --warmup=S         seconds of unrecorded load per server and credential before the first run [2]
//   --repeats=N        measured runs per server and credential; the median one is reported [3]
//   --connections=N    concurrent keep-alive connections of the load generator [10]
//   --log-levels=L,..  LAKEPLANE_LOG_LEVEL of the servers; one server each [info]
//   --cold-runs=N      recorded starts of the bare server and of the target function; the informational PGlite
//                      start, slower, is recorded in the first 3 rounds only [15]
//   --quiet-wait=S     seconds the bench may spend per phase (throughput, cold start), before measurements, waiting
//                      for other processes to leave the CPU (below 0.2 cores, at most 8 s per wait); 0 never waits [15]
//   --ref=REF          measure the server code of a git commit (git archive into a temporary directory, built
//                      there) instead of the working tree; dist/ of the working tree is then left alone
//   --no-postgres      skip PostgreSQL even if DATABASE_URL is set
//   --no-build         use dist/ as it is instead of running scripts/build.mjs (working tree only)
//   --no-write         print only; leave bench/RESULTS.md alone
//   --quick            a smoke run: --duration=2 --warmup=1 --repeats=1 --cold-runs=3 --quiet-wait=0, and --no-write
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOOPBACK, autocannonVersion, codeUnderTest, prepareBuild, redactedDatabaseUrl, startSink } from './lib/build.js';
import { benchColdStart, type ColdResult, type ColdSubject } from './lib/cold-start.js';
import { prepareDatabase, serverVersion, type BenchDatabase } from './lib/postgres.js';
import { killChildren } from './lib/proc.js';
import { QUIET_CORES, QuietGate, backgroundCores } from './lib/quiet.js';
import { consoleReport, markdownResults, writeResults, type RunFacts } from './lib/report.js';
import { benchThroughput, type Backend, type ThroughputRow } from './lib/throughput.js';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);

const { values: argv } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    repeats: { type: 'string' },
    connections: { type: 'string' },
    'log-levels': { type: 'string' },
    'cold-runs': { type: 'string' },
    'quiet-wait': { type: 'string' },
    ref: { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
  strict: true,
});

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

const quick = argv.quick;
const opts = {
  duration: int('duration', argv.duration, quick ? 2 : 5, 1),
  warmup: int('warmup', argv.warmup, quick ? 1 : 2, 0),
  repeats: int('repeats', argv.repeats, quick ? 1 : 3, 1),
  connections: int('connections', argv.connections, 10, 1),
  coldRuns: int('cold-runs', argv['cold-runs'], quick ? 3 : 15, 1),
  quietWaitSeconds: int('quiet-wait', argv['quiet-wait'], quick ? 0 : 15, 0),
  logLevels: (argv['log-levels'] ?? 'info')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  ref: argv.ref,
  postgres: !argv['no-postgres'],
  build: !argv['no-build'],
  write: !argv['no-write'] && !quick,
};
if (opts.ref && !opts.build) throw new Error('--ref builds the commit it names; it cannot go with --no-build');

const started = Date.now();
const progress = (msg: string) => void process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

function commandLine(): string {
  const flags = process.argv.slice(2);
  const url = process.env['DATABASE_URL'];
  const pg = url && opts.postgres ? `DATABASE_URL=${redactedDatabaseUrl(url)} ` : '';
  return `${pg}npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
}

const cleanups: Array<() => Promise<void>> = [];
async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)().catch((err: unknown) => progress(`cleanup: ${(err as Error).message}`));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping the servers and cleaning up`);
    killChildren();
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'lakeplane-bench-'));
  cleanups.push(async () => rmSync(tmpDir, { recursive: true, force: true }));
  const notes: string[] = [];
  let db: BenchDatabase | undefined;

  const backgroundBefore = await backgroundCores(1500);
  progress(`background load: other processes use ${backgroundBefore?.toFixed(2) ?? 'n/a'} cores`);
  const code = codeUnderTest(root, opts.ref);
  const srcDir = await prepareBuild(root, tmpDir, opts.ref, opts.build, progress);
  const serve = path.join(srcDir, 'dist/serve.js');
  const rel = (p: string) => path.relative(srcDir, p);

  const baseUrl = process.env['DATABASE_URL'];
  let pgVersion: string | undefined;
  if (baseUrl && opts.postgres) {
    let host = '';
    try {
      host = new URL(baseUrl).hostname;
    } catch {
      // reported below
    }
    if (!LOOPBACK.has(host)) {
      notes.push('PostgreSQL skipped: the bench sends traffic to 127.0.0.1 only, and DATABASE_URL names another host.');
      progress(notes.at(-1) as string);
    } else {
      try {
        pgVersion = await serverVersion(baseUrl);
        progress(`PostgreSQL ${pgVersion}: creating a scratch database and applying the migrations (dist/migrate.js)`);
        db = await prepareDatabase(baseUrl, path.join(srcDir, 'dist/migrate.js'));
        const scratch = db;
        cleanups.push(() => scratch.drop());
      } catch (err) {
        notes.push(`PostgreSQL skipped: ${(err as Error).message.split('\n')[0]}`);
        progress(`PostgreSQL skipped: ${(err as Error).message}`);
      }
    }
  } else {
    notes.push(
      baseUrl
        ? 'PostgreSQL skipped (--no-postgres).'
        : 'PostgreSQL not measured: DATABASE_URL is not set, so neither is the cold-start target (cluster mode needs PostgreSQL).',
    );
  }

  const backends: Backend[] = [
    {
      key: 'pglite',
      label: `embedded mode, every function in one process (\`node ${rel(serve)}\`), PGlite on disk in a fresh temporary directory`,
      env: { LAKEPLANE_MODE: 'embedded', LAKEPLANE_DATA_DIR: path.join(tmpDir, 'pglite-throughput') },
    },
  ];
  if (db) {
    backends.push({
      key: 'postgres',
      label: `embedded mode, every function in one process (\`node ${rel(serve)}\`), PostgreSQL ${pgVersion ?? ''} on 127.0.0.1 (scratch database, pool of 10 connections)`,
      env: { LAKEPLANE_MODE: 'embedded', DATABASE_URL: db.url },
      dbProcessMarker: db.name,
    });
  }

  const gate = new QuietGate(opts.quietWaitSeconds * 1000, progress);
  const coldGate = new QuietGate(opts.quietWaitSeconds * 1000, progress);
  progress(
    `throughput: ${backends.map((b) => b.key).join(', ')}; log levels ${opts.logLevels.join(', ')}; ${opts.repeats} × ${opts.duration} s per credential`,
  );
  const rows: ThroughputRow[] = await benchThroughput(backends, {
    durationSeconds: opts.duration,
    warmupSeconds: opts.warmup,
    connections: opts.connections,
    repeats: opts.repeats,
    logLevels: opts.logLevels,
    tmpDir,
    serverEntry: serve,
    progress,
    settle: () => gate.wait(),
  });

  // Cold start. The target is what scales from zero in the cluster: one function (FUNCTION_TARGET=iam) in cluster
  // mode on PostgreSQL with the migrations already applied (the migration Job's work), as a Knative pod starts it.
  // The same function in embedded mode on PGlite is shown for information.
  const subjects: ColdSubject[] = [
    {
      key: 'bare',
      label: 'a bare Node HTTP server answering /readyz (`node bench/bare-server.mjs`)',
      args: ['bench/bare-server.mjs'],
      env: {},
      informational: false,
    },
  ];
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;
  if (db) {
    sink = await startSink();
    const s = sink;
    cleanups.push(() => new Promise<void>((resolve) => s.server.close(() => resolve())));
    subjects.push({
      key: 'iam-cluster-postgres',
      label: `\`LAKEPLANE_MODE=cluster FUNCTION_TARGET=iam node ${rel(serve)}\` on PostgreSQL (the scratch database, migrations applied, admin and signing key already created), log level info, broker URL a local sink`,
      args: [serve],
      env: { LAKEPLANE_MODE: 'cluster', FUNCTION_TARGET: 'iam', DATABASE_URL: db.url, LAKEPLANE_BROKER_URL: sink.url, LAKEPLANE_LOG_LEVEL: 'info' },
      informational: false,
    });
  }
  subjects.push({
    key: 'iam-embedded-pglite',
    label: `\`FUNCTION_TARGET=iam node ${rel(serve)}\` in embedded mode on PGlite (the unrecorded first start creates the data directory; the recorded ones open it)`,
    args: [serve],
    env: {
      LAKEPLANE_MODE: 'embedded',
      FUNCTION_TARGET: 'iam',
      LAKEPLANE_DATA_DIR: path.join(tmpDir, 'pglite-cold'),
      LAKEPLANE_ADMIN_PASSWORD: 'lakeplane-bench-admin-password',
      LAKEPLANE_LOG_LEVEL: 'info',
    },
    informational: true,
    maxRuns: 3,
  });
  progress(`cold start: ${subjects.map((s) => s.key).join(', ')}; ${opts.coldRuns} recorded starts each`);
  const cold: ColdResult[] = await benchColdStart(subjects, { runs: opts.coldRuns, pollMs: 2, progress, settle: () => coldGate.wait() });

  const backgroundAfter = await backgroundCores(1500);
  const cpus = os.cpus();
  const facts: RunFacts = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: commandLine(),
    machine: [
      `nproc: ${os.availableParallelism()} (${cpus[0]?.model.trim() ?? 'unknown CPU'})`,
      `Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
      `PostgreSQL: ${pgVersion ? `${pgVersion} on the same machine (127.0.0.1)` : 'not used'}`,
      `background load (CPU other processes used while the bench ran nothing, 1.5 s samples): ${backgroundBefore?.toFixed(2) ?? 'n/a'} cores before, ${backgroundAfter?.toFixed(2) ?? 'n/a'} cores after; load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    ],
    settings: [
      `code under test: ${code}`,
      `load generator: autocannon ${autocannonVersion(root)} in its own process (bench/load.mjs), ${opts.connections} keep-alive connections, no pipelining, 127.0.0.1 only`,
      `per server and credential: ${opts.warmup} s warm-up, then ${opts.repeats} runs of ${opts.duration} s (JWT and PAT runs interleave); server stdout (JSON logs) to a file`,
      `cold start: ${opts.coldRuns} rounds; /readyz polled every 2 ms`,
      opts.quietWaitSeconds > 0
        ? `before each measurement (throughput run, cold-start round) the bench waited for other processes to use < ${QUIET_CORES} cores (0.5 s samples, at most 8 s a time, ${opts.quietWaitSeconds} s per phase): ` +
          `throughput ${gate.describe()}; cold start ${coldGate.describe()}`
        : 'no waiting for a quiet machine (--quiet-wait=0)',
      ...notes,
    ],
    ran: `${((Date.now() - started) / 1000).toFixed(0)} s in all.`,
  };
  process.stdout.write(`\n${consoleReport(rows, cold)}\n\n`);
  if (opts.write) {
    writeResults(path.join(root, 'bench', 'RESULTS.md'), markdownResults(facts, rows, cold));
    progress('wrote bench/RESULTS.md');
  }
  if (sink && sink.received() > 0) progress(`(the local broker sink received ${sink.received()} CloudEvents)`);
}

main()
  .then(
    () => 0,
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 1;
    },
  )
  .then(async (code) => {
    killChildren();
    await cleanup();
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.exit(code);
  });
