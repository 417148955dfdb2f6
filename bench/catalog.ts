// `npm run bench:catalog` (issue 2): the Iceberg REST catalog under load, on PostgreSQL, against Iceberg's reference
// REST server (RESTCatalogServer from iceberg-open-api's test fixtures: JdbcCatalog on in-memory SQLite, no auth),
// both measured in the same run with the same load:
//
//   loadTable   autocannon (bench/load.mjs, its own process) GETs tables picked at random among 1,000 (10
//               namespaces of 100, each table with 1 or 2 snapshots, created over HTTP first): req/s, p50, p99
//   commits     N writers (bench/catalog-writers.mjs, its own process), each load -> commit (add-snapshot +
//               set-snapshot-ref main, requirement assert-ref-snapshot-id) with retry on 409, (1) all on one table,
//               (2) spread at random over 100 tables: landed commits/s and the share of commit POSTs refused with 409
//
// Lakeplane runs from the built output as a Knative pod runs it: `LAKEPLANE_MODE=cluster FUNCTION_TARGET=catalog node
// dist/serve.js`, on a scratch PostgreSQL database (DATABASE_URL's server, 127.0.0.1 only; dropped at the end), log
// level info (the Knative manifests' setting), events to a local sink. The reference server runs with
// `scripts/iceberg-tools.sh reference-server` (Java 17+, Iceberg 1.11.0 jars via Maven, cached). Every server and
// load generator is a child process; Lakeplane listens on 127.0.0.1 (the reference's Jetty, as the script starts it,
// on every interface) and all traffic goes to 127.0.0.1; everything stops by itself. It rewrites the catalog section
// of bench/RESULTS.md. About 6-7 minutes on a quiet 2-core machine.
//
// Options (defaults in brackets):
//   --namespaces=N       namespaces for the loadTable tables [10]
//   --tables=N           tables in all, spread evenly over the namespaces [1000]
//   --setup-concurrency=N  tables created at a time [8]
//   --duration=S         seconds per measured loadTable run [10]
//   --warmup=S           unrecorded loadTable load per server before the first run (the JVM's JIT needs it: with
//                        10 s the reference server was still speeding up from run to run) [30]
//   --repeats=N          measured loadTable runs per server, interleaved; the median one is reported [3]
//   --connections=N      autocannon connections [10]
//   --writers=N          concurrent writers in the commit runs [8]
//   --commits=N          logical commits per run on one table [300]
//   --commits-many=N     logical commits per run over the many tables [600]
//   --commit-tables=N    tables the writers spread over in the second commit test [100]
//   --commit-repeats=N   runs per server and commit test, interleaved; the median one is reported [3]
//   --commit-max-seconds=S  a commit run stops after this long whatever it reached [60]
//   --max-retries=N      409s one writer accepts for one commit before giving it up [100]
//   --log-level=L        LAKEPLANE_LOG_LEVEL of the Lakeplane server [info]
//   --quiet-wait=S       seconds per phase (loadTable, commits) the bench may spend waiting for other processes to
//                        leave the CPU (below 0.2 cores), at most 15 s before each measured run; 0 never waits [60]
//   --ref=REF            measure a git commit's code (git archive, built in a temporary directory) instead of the
//                        working tree
//   --no-build           use dist/ as it is (working tree only)
//   --no-reference       Lakeplane only (no Java needed)
//   --profile=DIR        profile instead of benchmark: Lakeplane only, the loadTable runs against a server started
//                        with `node --cpu-prof --cpu-prof-dir=DIR` (the setup ran on another, unprofiled instance);
//                        prints where its CPU time went; writes nothing to RESULTS.md
//   --server-node-args="A B"  extra node flags for the measured Lakeplane server (e.g. --trace-gc, or --cpu-prof
//                        --cpu-prof-dir=DIR: the profile of the whole run); implies --no-write
//   --keep-logs=DIR      copy the servers' stdout logs to DIR at the end (with --trace-gc: the GC pauses)
//   --no-write           print only; leave bench/RESULTS.md alone
//   --quick              smoke run: 2 namespaces x 50 tables, 3 s runs, 1 repeat, 60/120 commits, no waiting, --no-write
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOOPBACK, autocannonVersion, codeUnderTest, prepareBuild, redactedDatabaseUrl, startSink } from './lib/build.js';
import { catalogConsoleReport, catalogMarkdown, CATALOG_MARKERS, type CommitRow, type LoadRow, type CatalogFacts } from './lib/catalog-report.js';
import { summarizeCpuProfile } from './lib/cpuprofile.js';
import { LoopbackClient, createTables, type TableSet } from './lib/iceberg-setup.js';
import { prepareDatabase, serverVersion, type BenchDatabase } from './lib/postgres.js';
import {
  childEnv,
  cpuMs,
  cpuMsBetween,
  cpuMsByPidMatching,
  freePort,
  killChildren,
  machineBusyMs,
  runNode,
  selfCpuMs,
  startNode,
  startProcess,
  stolenMs,
  waitReady,
  type Child,
} from './lib/proc.js';
import { QUIET_CORES, QuietGate, backgroundCores } from './lib/quiet.js';
import { writeResults } from './lib/report.js';
import { median } from './lib/stats.js';
import type { LoadResult } from './lib/throughput.js';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);

const { values: argv } = parseArgs({
  options: {
    namespaces: { type: 'string' },
    tables: { type: 'string' },
    'setup-concurrency': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    repeats: { type: 'string' },
    connections: { type: 'string' },
    writers: { type: 'string' },
    commits: { type: 'string' },
    'commits-many': { type: 'string' },
    'commit-tables': { type: 'string' },
    'commit-repeats': { type: 'string' },
    'commit-max-seconds': { type: 'string' },
    'max-retries': { type: 'string' },
    'log-level': { type: 'string' },
    'quiet-wait': { type: 'string' },
    ref: { type: 'string' },
    profile: { type: 'string' },
    'server-node-args': { type: 'string' },
    'keep-logs': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-reference': { type: 'boolean', default: false },
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
  namespaces: int('namespaces', argv.namespaces, quick ? 2 : 10, 1),
  tables: int('tables', argv.tables, quick ? 100 : 1000, 1),
  setupConcurrency: int('setup-concurrency', argv['setup-concurrency'], 8, 1),
  duration: int('duration', argv.duration, quick ? 3 : 10, 1),
  warmup: int('warmup', argv.warmup, quick ? 2 : 30, 0),
  repeats: int('repeats', argv.repeats, quick ? 1 : 3, 1),
  connections: int('connections', argv.connections, 10, 1),
  writers: int('writers', argv.writers, 8, 1),
  commits: int('commits', argv.commits, quick ? 60 : 300, 1),
  commitsMany: int('commits-many', argv['commits-many'], quick ? 120 : 600, 1),
  commitTables: int('commit-tables', argv['commit-tables'], quick ? 20 : 100, 1),
  commitRepeats: int('commit-repeats', argv['commit-repeats'], quick ? 1 : 3, 1),
  commitMaxSeconds: int('commit-max-seconds', argv['commit-max-seconds'], 60, 1),
  maxRetries: int('max-retries', argv['max-retries'], 100, 0),
  logLevel: argv['log-level'] ?? 'info',
  quietWaitSeconds: int('quiet-wait', argv['quiet-wait'], quick ? 0 : 60, 0),
  ref: argv.ref,
  build: !argv['no-build'],
  reference: !argv['no-reference'] && argv.profile === undefined,
  profileDir: argv.profile ? path.resolve(argv.profile) : undefined,
  serverNodeArgs: argv['server-node-args']?.split(' ').filter(Boolean) ?? [],
  keepLogs: argv['keep-logs'] ? path.resolve(argv['keep-logs']) : undefined,
  write: !argv['no-write'] && !quick && argv.profile === undefined && argv['server-node-args'] === undefined,
};
if (opts.ref && !opts.build) throw new Error('--ref builds the commit it names; it cannot go with --no-build');
const perNamespace = Math.ceil(opts.tables / opts.namespaces);

const QUIET_MAX_WAIT_MS = 15_000;
const TARGET_RPS = 2000;
const TARGET_P99_MS = 10;
const ADMIN_PASSWORD = 'lakeplane-bench-admin-password';
const WAREHOUSE = 'bench';

const started = Date.now();
const progress = (msg: string) => void process.stderr.write(`[bench:catalog ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

/** A catalog server under test: its process, where its catalog is, how to authenticate to it. */
interface Subject {
  key: 'lakeplane' | 'reference';
  title: string;
  label: string;
  child: Child;
  port: number;
  /** Path of the catalog up to /namespaces. */
  root: string;
  headers: () => Record<string, string>;
  /** Gets a fresh token (Lakeplane's live 15 minutes); called before each phase. */
  refresh?: () => Promise<void>;
  logFile?: string;
  tables?: TableSet;
  /** Size of one loadTable answer's body, from the setup's check. */
  loadBytes?: number;
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

/** CPU of every process the bench accounts for, so what is left of the machine's busy time is other processes'. */
function cpuSnapshot(
  subjects: Subject[],
  db: BenchDatabase,
): { servers: Map<string, number>; db: Map<number, number>; busy: number | undefined; stolen: number | undefined; self: number; t: number } {
  return {
    // Children included: Hadoop's local file system forks a process (chmod) for files the reference server writes.
    servers: new Map(subjects.map((s) => [s.key, cpuMs(s.child.pid, true) ?? 0])),
    db: cpuMsByPidMatching(db.name),
    busy: machineBusyMs(),
    stolen: stolenMs(),
    self: selfCpuMs(),
    t: performance.now(),
  };
}

interface Accounting {
  wallMs: number;
  serverCpuMs: number;
  dbCpuMs: number;
  otherCores: number | undefined;
  /** CPU the VM's host took from this machine's cores during the run (steal), in cores. */
  stolenCores: number | undefined;
  logBytes: number | undefined;
}

async function accounted<T extends { loadCpuTotalMs: number }>(
  subject: Subject,
  subjects: Subject[],
  db: BenchDatabase,
  run: () => Promise<T>,
): Promise<{ result: T; acc: Accounting }> {
  const log0 = subject.logFile ? statSync(subject.logFile).size : undefined;
  const a = cpuSnapshot(subjects, db);
  const result = await run();
  const b = cpuSnapshot(subjects, db);
  const wallMs = b.t - a.t;
  let serversMs = 0;
  for (const s of subjects) serversMs += (b.servers.get(s.key) ?? 0) - (a.servers.get(s.key) ?? 0);
  const dbCpuMs = cpuMsBetween(a.db, b.db);
  const otherCores =
    a.busy !== undefined && b.busy !== undefined
      ? Math.max(0, b.busy - a.busy - serversMs - dbCpuMs - result.loadCpuTotalMs - (b.self - a.self)) / wallMs
      : undefined;
  return {
    result,
    acc: {
      wallMs,
      serverCpuMs: (b.servers.get(subject.key) ?? 0) - (a.servers.get(subject.key) ?? 0),
      dbCpuMs,
      otherCores,
      stolenCores: a.stolen !== undefined && b.stolen !== undefined ? (b.stolen - a.stolen) / wallMs : undefined,
      logBytes: subject.logFile && log0 !== undefined ? statSync(subject.logFile).size - log0 : undefined,
    },
  };
}

async function runLoad(subject: Subject, pathsFile: string, duration: number, seed: number): Promise<LoadResult & { bytesTotal: number }> {
  const out = await runNode(
    [
      'bench/load.mjs',
      JSON.stringify({ url: `http://127.0.0.1:${subject.port}/`, headers: subject.headers(), connections: opts.connections, duration, pathsFile, seed }),
    ],
    childEnv({}),
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as LoadResult & { bytesTotal: number };
}

export interface WriterResult {
  wallMs: number;
  started: number;
  landed: number;
  conflicts: number;
  gaveUp: number;
  commitPosts: number;
  loads: number;
  statuses: Record<string, number>;
  failures: string[];
  timedOut: boolean;
  landedMs: { n: number; p50: number; p90: number; p99: number; max: number };
  postMs: { n: number; p50: number; p90: number; p99: number; max: number };
  loadCpuMs: number;
  loadCpuTotalMs: number;
}

async function runWriters(subject: Subject, paths: string[], target: number, seed: number): Promise<WriterResult> {
  const out = await runNode(
    [
      'bench/catalog-writers.mjs',
      JSON.stringify({
        base: `http://127.0.0.1:${subject.port}`,
        paths,
        writers: opts.writers,
        targetCommits: target,
        maxSeconds: opts.commitMaxSeconds,
        maxRetries: opts.maxRetries,
        headers: subject.headers(),
        seed,
      }),
    ],
    childEnv({}),
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as WriterResult;
}

/** Bootstrap (admin, signing key) through the iam function in cluster mode, then a service account for the bench. */
async function serviceAccount(serve: string, env: Record<string, string>): Promise<{ clientId: string; clientSecret: string }> {
  const port = await freePort();
  const iam = startNode([serve], childEnv({ ...env, FUNCTION_TARGET: 'iam', PORT: String(port), LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD }));
  try {
    await waitReady(iam, port);
    const c = new LoopbackClient(port, 2);
    const form = new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString();
    const tok = await c.call('POST', '/api/v1/auth/token', form, 'application/x-www-form-urlencoded');
    if (tok.status !== 200) throw new Error(`password grant: ${tok.status} ${tok.text}`);
    const admin = (JSON.parse(tok.text) as { access_token: string }).access_token;
    const authed = new LoopbackClient(port, 2, () => ({ authorization: `Bearer ${admin}` }));
    const sa = await authed.expect(201, 'POST', '/api/v1/service-accounts', { name: 'catalog-bench', description: 'bench/catalog.ts', isAdmin: true });
    c.close();
    authed.close();
    return sa.credentials as { clientId: string; clientSecret: string };
  } finally {
    await iam.stop();
  }
}

async function clientCredentialsToken(port: number, sa: { clientId: string; clientSecret: string }): Promise<string> {
  const c = new LoopbackClient(port, 1);
  try {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret, scope: 'catalog' }).toString();
    const r = await c.call('POST', '/iceberg/v1/oauth/tokens', form, 'application/x-www-form-urlencoded');
    if (r.status !== 200) throw new Error(`client_credentials grant at /iceberg/v1/oauth/tokens: ${r.status} ${r.text}`);
    return (JSON.parse(r.text) as { access_token: string }).access_token;
  } finally {
    c.close();
  }
}

async function setupTables(subject: Subject, namespaces: string[], perNs: number, snapshotsOf: (i: number) => number): Promise<TableSet> {
  const client = new LoopbackClient(subject.port, opts.setupConcurrency, subject.headers);
  try {
    return await createTables(client, subject.root, namespaces, perNs, opts.setupConcurrency, snapshotsOf);
  } finally {
    client.close();
  }
}

/** Both servers must hold the same tables, with the snapshots the setup committed, before anything is compared. */
async function checkTables(subject: Subject, namespaces: string[], perNs: number): Promise<void> {
  const client = new LoopbackClient(subject.port, 2, subject.headers);
  try {
    for (const ns of namespaces) {
      const list = await client.expect(200, 'GET', `${subject.root}/namespaces/${ns}/tables`);
      if ((list.identifiers as unknown[]).length !== perNs)
        throw new Error(`${subject.key}: namespace ${ns} lists ${list.identifiers.length} tables, expected ${perNs}`);
    }
    const paths = subject.tables!.paths;
    for (const [i, p] of [
      [0, paths[0]],
      [1, paths[1]],
    ] as const) {
      const r = await client.call('GET', `${p}?snapshots=all`);
      if (r.status !== 200) throw new Error(`${subject.key}: GET ${p}: ${r.status} ${r.text.slice(0, 300)}`);
      const m = (JSON.parse(r.text) as { metadata: { snapshots: unknown[]; 'format-version': number } }).metadata;
      const want = i === 0 ? 2 : 1;
      if (m.snapshots.length !== want || m['format-version'] !== 2)
        throw new Error(`${subject.key}: ${p} has ${m.snapshots.length} snapshots (format v${m['format-version']}), expected ${want} (v2)`);
      if (i === 0) subject.loadBytes = Buffer.byteLength(r.text);
    }
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const baseUrl = process.env['DATABASE_URL'];
  if (!baseUrl) throw new Error('DATABASE_URL is not set: the catalog bench runs on PostgreSQL (scripts/start-postgres.sh prints the URL)');
  if (!LOOPBACK.has(new URL(baseUrl).hostname)) throw new Error('DATABASE_URL names another host: the bench sends traffic to 127.0.0.1 only');

  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'lakeplane-bench-catalog-'));
  cleanups.push(async () => rmSync(tmpDir, { recursive: true, force: true }));
  // Runs after the servers stopped (cleanups run last-first), before the directory goes.
  if (opts.keepLogs)
    cleanups.push(async () => {
      mkdirSync(opts.keepLogs!, { recursive: true });
      for (const f of readdirSync(tmpDir).filter((x) => x.endsWith('.log'))) copyFileSync(path.join(tmpDir, f), path.join(opts.keepLogs!, f));
    });
  const notes: string[] = [];

  const backgroundBefore = await backgroundCores(1500);
  progress(`background load: other processes use ${backgroundBefore?.toFixed(2) ?? 'n/a'} cores`);
  const code = codeUnderTest(root, opts.ref);
  const srcDir = await prepareBuild(root, tmpDir, opts.ref, opts.build, progress);
  const serve = path.join(srcDir, 'dist/serve.js');

  const pgVersion = await serverVersion(baseUrl);
  progress(`PostgreSQL ${pgVersion}: creating a scratch database and applying the migrations (dist/migrate.js)`);
  const db = await prepareDatabase(baseUrl, path.join(srcDir, 'dist/migrate.js'));
  cleanups.push(() => db.drop());
  const sink = await startSink();
  cleanups.push(() => new Promise<void>((resolve) => sink.server.close(() => resolve())));

  const clusterEnv = { LAKEPLANE_MODE: 'cluster', DATABASE_URL: db.url, LAKEPLANE_BROKER_URL: sink.url, LAKEPLANE_LOG_LEVEL: opts.logLevel, HOST: '127.0.0.1' };
  progress('bootstrapping through the iam function (cluster mode) and creating a service account');
  const sa = await serviceAccount(serve, clusterEnv);

  const ourWarehouse = path.join(tmpDir, 'lakeplane-warehouse');
  const refWarehouse = path.join(tmpDir, 'reference-warehouse');
  mkdirSync(ourWarehouse);
  mkdirSync(refWarehouse);

  const startOurs = async (nodeArgs: string[], logName: string): Promise<Subject> => {
    const port = await freePort();
    const logFile = path.join(tmpDir, logName);
    const child = startNode([...nodeArgs, serve], childEnv({ ...clusterEnv, FUNCTION_TARGET: 'catalog', PORT: String(port) }), logFile);
    cleanups.push(() => child.stop());
    await waitReady(child, port);
    let token = await clientCredentialsToken(port, sa);
    const subject: Subject = {
      key: 'lakeplane',
      title: 'Lakeplane',
      label: `\`LAKEPLANE_MODE=cluster FUNCTION_TARGET=catalog node ${path.relative(srcDir, serve)}\` on PostgreSQL ${pgVersion} (127.0.0.1, scratch database, pool of 10 connections), log level ${opts.logLevel} (stdout to a file), events to a local sink; warehouse on the local filesystem; a service account's JWT (client_credentials)`,
      child,
      port,
      root: `/iceberg/v1/${WAREHOUSE}`,
      headers: () => ({ authorization: `Bearer ${token}` }),
      refresh: async () => {
        token = await clientCredentialsToken(port, sa);
      },
      logFile,
    };
    return subject;
  };
  const refresh = async (s: Subject) => s.refresh?.();

  progress('starting the Lakeplane catalog (cluster mode)' + (opts.reference ? ' and the reference server (scripts/iceberg-tools.sh reference-server)' : ''));
  let ours = await startOurs(opts.serverNodeArgs, 'lakeplane.stdout.log');
  await new LoopbackClient(ours.port, 1, ours.headers).expect(201, 'POST', '/api/v1/warehouses', {
    name: WAREHOUSE,
    storageLocation: `file://${ourWarehouse}`,
    description: 'bench/catalog.ts',
  });

  const subjects: Subject[] = [ours];
  if (opts.reference) {
    const port = await freePort();
    // CATALOG_CLIENTS=1: one JDBC connection. With the JdbcCatalog's default pool of 2, a second connection to
    // jdbc:sqlite::memory: opens a second, empty database, and concurrent requests fail with "no such table:
    // iceberg_tables" (seen at 8 concurrent creates). One connection keeps the in-memory catalog whole.
    const env = childEnv({ LAKEPLANE_CACHE_DIR: process.env['LAKEPLANE_CACHE_DIR'], LAKEPLANE_JAVA: process.env['LAKEPLANE_JAVA'], CATALOG_CLIENTS: '1' });
    const child = startProcess(
      'bash',
      [path.join(root, 'scripts/iceberg-tools.sh'), 'reference-server', String(port), refWarehouse],
      env,
      path.join(tmpDir, 'reference.stdout.log'),
    );
    cleanups.push(() => child.stop());
    try {
      await waitReady(child, port, '/v1/config', 180_000);
      subjects.push({
        key: 'reference',
        title: 'Iceberg reference',
        label:
          '`scripts/iceberg-tools.sh reference-server`: Iceberg 1.11.0 RESTCatalogServer (Jetty 12, JdbcCatalog on in-memory SQLite with one JDBC connection (`CATALOG_CLIENTS=1`: with the default pool of 2, the second connection opens a second, empty in-memory database and concurrent requests fail), HadoopFileIO on the local filesystem, no authentication), Java ' +
          javaVersion() +
          '; the bench sends it the same Authorization header anyway',
        child,
        port,
        root: '/v1',
        headers: () => ({ authorization: 'Bearer client-credentials-token:sub=catalog-bench' }),
      });
    } catch (err) {
      notes.push(`Reference server not measured: ${(err as Error).message.split('\n')[0]}`);
      progress(notes.at(-1) as string);
      await child.stop();
    }
  }

  // Setup: the same tables on both servers, created over HTTP.
  const namespaces = Array.from({ length: opts.namespaces }, (_, i) => `bench_ns_${String(i).padStart(2, '0')}`);
  const setupNotes: string[] = [];
  for (const s of subjects) {
    progress(`${s.key}: creating ${opts.namespaces} namespaces x ${perNamespace} tables, ${opts.setupConcurrency} at a time, each with 1 or 2 snapshots`);
    s.tables = await setupTables(s, namespaces, perNamespace, (i) => (i % 2 === 0 ? 2 : 1));
    await checkTables(s, namespaces, perNamespace);
    setupNotes.push(
      `${s.title}: ${s.tables.paths.length} tables in ${s.tables.seconds.toFixed(1)} s (${s.tables.requests} requests, ${(s.tables.requests / s.tables.seconds).toFixed(0)} req/s at ${opts.setupConcurrency} concurrent), loadTable answer of a 2-snapshot table ${s.loadBytes} bytes`,
    );
    progress(`  ${setupNotes.at(-1)}`);
  }

  if (opts.profileDir) {
    await profileLoad(ours);
    return;
  }

  // loadTable: the same random sequence of tables for both servers, runs interleaved.
  const gate = new QuietGate(opts.quietWaitSeconds * 1000, progress, QUIET_MAX_WAIT_MS);
  const pathsFiles = new Map<string, string>();
  for (const s of subjects) {
    const f = path.join(tmpDir, `${s.key}-paths.json`);
    writeFileSync(f, JSON.stringify(s.tables!.paths.map((p) => `${p}?snapshots=all`)));
    pathsFiles.set(s.key, f);
  }
  const loadRuns = new Map<string, Array<{ r: LoadResult & { bytesTotal: number }; acc: Accounting }>>(subjects.map((s) => [s.key, []]));
  for (const s of subjects) {
    await refresh(s);
    if (opts.warmup > 0) {
      progress(`${s.key}: loadTable warm-up ${opts.warmup} s`);
      await runLoad(s, pathsFiles.get(s.key)!, opts.warmup, 999);
    }
  }
  for (let r = 0; r < opts.repeats; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) {
      await gate.wait();
      progress(`${s.key}: loadTable run ${r + 1}/${opts.repeats}, ${opts.duration} s, ${opts.connections} connections`);
      const { result, acc } = await accounted(s, subjects, db, () => runLoad(s, pathsFiles.get(s.key)!, opts.duration, 1000 + r));
      if (result.non2xx > 0 || result.errors > 0) progress(`  warning: ${result.non2xx} non-2xx, ${result.errors} errors (${JSON.stringify(result.statuses)})`);
      progress(
        `  ${result.requestsMean.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, other CPU ${acc.otherCores?.toFixed(2)} cores, host steal ${acc.stolenCores?.toFixed(2)} cores`,
      );
      loadRuns.get(s.key)!.push({ r: result, acc });
    }
  }
  const loadRows: LoadRow[] = subjects.map((s) => {
    const runs = loadRuns.get(s.key)!;
    const mid = median(runs.map((x) => x.r.requestsMean));
    const chosen = runs.reduce((best, x) => (Math.abs(x.r.requestsMean - mid) < Math.abs(best.r.requestsMean - mid) ? x : best), runs[0]!);
    return { key: s.key, title: s.title, runs, chosen, loadBytes: s.loadBytes, tables: s.tables!.paths.length, connections: opts.connections };
  });

  // Commits: fresh tables for every run, so each run starts from the same metadata on both servers.
  const commitGate = new QuietGate(opts.quietWaitSeconds * 1000, progress, QUIET_MAX_WAIT_MS);
  const commitRows: CommitRow[] = [];
  for (const scenario of ['one', 'many'] as const) {
    const runs = new Map<string, Array<{ r: WriterResult; acc: Accounting }>>(subjects.map((s) => [s.key, []]));
    for (let r = 0; r < opts.commitRepeats; r++) {
      const order = r % 2 === 0 ? subjects : [...subjects].reverse();
      for (const s of order) {
        await refresh(s);
        const ns = `commit_${scenario}_${r}`;
        const set = await setupTables(s, [ns], scenario === 'one' ? 1 : opts.commitTables, () => 1);
        const target = scenario === 'one' ? opts.commits : opts.commitsMany;
        await commitGate.wait();
        progress(
          `${s.key}: commits, ${scenario === 'one' ? 'one table' : `${opts.commitTables} tables`}, run ${r + 1}/${opts.commitRepeats}: ${opts.writers} writers, ${target} commits`,
        );
        const { result, acc } = await accounted(s, subjects, db, () => runWriters(s, set.paths, target, 2000 + r));
        if (result.failures.length > 0) progress(`  warning: ${result.failures.join(' | ')}`);
        progress(
          `  ${result.landed} landed in ${(result.wallMs / 1000).toFixed(1)} s = ${((result.landed * 1000) / result.wallMs).toFixed(0)}/s, ${result.conflicts} x 409 of ${result.commitPosts} commit POSTs, other CPU ${acc.otherCores?.toFixed(2)} cores`,
        );
        runs.get(s.key)!.push({ r: result, acc });
      }
    }
    for (const s of subjects) {
      const list = runs.get(s.key)!;
      const rate = (x: { r: WriterResult }) => (x.r.landed * 1000) / x.r.wallMs;
      const mid = median(list.map(rate));
      const chosen = list.reduce((best, x) => (Math.abs(rate(x) - mid) < Math.abs(rate(best) - mid) ? x : best), list[0]!);
      commitRows.push({
        key: s.key,
        title: s.title,
        scenario,
        tables: scenario === 'one' ? 1 : opts.commitTables,
        writers: opts.writers,
        target: scenario === 'one' ? opts.commits : opts.commitsMany,
        runs: list,
        chosen,
      });
    }
  }

  const backgroundAfter = await backgroundCores(1500);
  const cpus = os.cpus();
  const facts: CatalogFacts = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `DATABASE_URL=${redactedDatabaseUrl(baseUrl)} npm run bench:catalog${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ran: `${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    machine: [
      `nproc: ${os.availableParallelism()} (${cpus[0]?.model.trim() ?? 'unknown CPU'})`,
      `Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
      `PostgreSQL ${pgVersion} on the same machine (127.0.0.1)`,
      `background load (CPU other processes used while the bench ran nothing, 1.5 s samples): ${backgroundBefore?.toFixed(2) ?? 'n/a'} cores before, ${backgroundAfter?.toFixed(2) ?? 'n/a'} cores after; load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    ],
    settings: [
      `code under test: ${code}`,
      ...subjects.map((s) => `${s.title}: ${s.label}`),
      `tables: ${opts.namespaces} namespaces x ${perNamespace}, created over HTTP ${opts.setupConcurrency} at a time; each has a 15-column schema (one nested struct), a day(event_ts) partition spec, 3 properties, and 2 (even-numbered) or 1 (odd) appended snapshots with Spark-like summaries`,
      ...setupNotes.map((n) => `setup, ${n}`),
      `loadTable: autocannon ${autocannonVersion(root)} in its own process (bench/load.mjs), ${opts.connections} keep-alive connections, no pipelining, GET …/tables/{table}?snapshots=all (as Iceberg's Java client sends it) on a table picked at random per request (seeded: the same sequence for both servers), no Accept-Encoding (neither server compresses); ${opts.warmup} s warm-up per server, then ${opts.repeats} runs of ${opts.duration} s, servers interleaved`,
      `commits: ${opts.writers} writers in one process (bench/catalog-writers.mjs), keep-alive; a logical commit is GET table, then POST add-snapshot + set-snapshot-ref main with assert-ref-snapshot-id main = the loaded snapshot, again from the GET on 409 (at most ${opts.maxRetries} times); a run ends when ${opts.commits} (one table) or ${opts.commitsMany} (${opts.commitTables} tables, each commit to a random one) logical commits were started, or after ${opts.commitMaxSeconds} s; ${opts.commitRepeats} runs per server and test, interleaved, each on fresh tables (1 snapshot each)`,
      opts.quietWaitSeconds > 0
        ? `before each measured run the bench waited for other processes to use < ${QUIET_CORES} cores (0.5 s samples, at most ${QUIET_MAX_WAIT_MS / 1000} s a time, ${opts.quietWaitSeconds} s per phase): loadTable ${gate.describe()}; commits ${commitGate.describe()}`
        : 'no waiting for a quiet machine (--quiet-wait=0)',
      ...notes,
    ],
  };
  process.stdout.write(`\n${catalogConsoleReport(loadRows, commitRows, TARGET_RPS, TARGET_P99_MS)}\n\n`);
  if (opts.write) {
    writeResults(path.join(root, 'bench', 'RESULTS.md'), catalogMarkdown(facts, loadRows, commitRows, TARGET_RPS, TARGET_P99_MS), CATALOG_MARKERS);
    progress('wrote the catalog section of bench/RESULTS.md');
  }
  progress(`(the local broker sink received ${sink.received()} CloudEvents)`);

  /** --profile: the loadTable runs again against a fresh instance started with --cpu-prof (setup traffic not in it). */
  async function profileLoad(first: Subject): Promise<void> {
    const paths = first.tables!.paths;
    await first.child.stop();
    mkdirSync(opts.profileDir!, { recursive: true });
    const before = new Set(readdirSync(opts.profileDir!));
    ours = await startOurs(['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`], 'lakeplane-profiled.stdout.log');
    const startupCpu = cpuMs(ours.child.pid) ?? 0;
    const f = path.join(tmpDir, 'profile-paths.json');
    writeFileSync(f, JSON.stringify(paths.map((p) => `${p}?snapshots=all`)));
    if (opts.warmup > 0) await runLoad(ours, f, opts.warmup, 999);
    for (let r = 0; r < opts.repeats; r++) {
      const { result, acc } = await accounted(ours, [ours], db, () => runLoad(ours, f, opts.duration, 1000 + r));
      progress(
        `profiled run ${r + 1}: ${result.requestsMean.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, server ${((acc.serverCpuMs * 1000) / result.requestsTotal).toFixed(0)} µs CPU/req, other CPU ${acc.otherCores?.toFixed(2)}`,
      );
    }
    await ours.child.stop();
    const file = readdirSync(opts.profileDir!).find((x) => x.endsWith('.cpuprofile') && !before.has(x));
    if (!file) throw new Error(`no .cpuprofile appeared in ${opts.profileDir}`);
    const sum = summarizeCpuProfile(path.join(opts.profileDir!, file), 30);
    const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
    const lines = [
      `profile ${path.join(opts.profileDir!, file)}: ${sum.totalMs.toFixed(0)} ms sampled (start-up used ~${startupCpu} ms CPU before the load began)`,
      '',
      'self time by module:',
      ...sum.selfByModule.map((x) => `  ${pct(x.share)}  ${x.name}`),
      '',
      'self time by function:',
      ...sum.selfByFunction.map((x) => `  ${pct(x.share)}  ${x.name}`),
      '',
      'inclusive time by function:',
      ...sum.inclusiveByFunction.map((x) => `  ${pct(x.share)}  ${x.name}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

function javaVersion(): string {
  const r = spawnSync(process.env['LAKEPLANE_JAVA'] ?? 'java', ['-version'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n')[0] || 'unknown';
}

main()
  .then(
    () => 0,
    (err: unknown) => {
      process.stderr.write(`bench:catalog failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 1;
    },
  )
  .then(async (code) => {
    // The servers first get SIGTERM (cleanup stops each), so one started with --cpu-prof writes its profile; what
    // is left after that is killed.
    await cleanup();
    killChildren();
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.exit(code);
  });
