// `npm run bench:signing`: the S3 signer (remote signing) under load, over real HTTP, against baselines measured in
// the same run on the same server, so the ratios hold on this noisy shared machine where absolute figures move with
// other processes:
// - GET /api/v1/me with the same JWT: the like-for-like baseline. It authenticates exactly as signing does (the
//   verified-token and principal caches), decides a policy in memory and queries no database; it is also the route
//   issue 1's throughput target is measured on (bench/run.ts), so its figures can be compared with that table.
// - GET /iceberg/v1/config?warehouse=…: a catalog read that costs one database query (the warehouse's row).
// Besides req/s and latency, each run reports the server's CPU per request (user+system of its process, PGlite
// included since it runs in that process): far less sensitive to other processes than req/s or the p99.
//
// The server runs from the built output, as a container runs it (`node dist/serve.js`, the working tree built by
// scripts/build.mjs first; embedded mode, PGlite in memory, log level warn), in its own process: under tsx every
// closure made per request also pays esbuild's keepNames wrapper (`__name`, visible in profiles), which the build
// has not. The load generator (autocannon, bench/load.mjs) is another process. s3s-fs (scripts/install-s3s-fs.sh)
// holds the warehouse's files, with keys only the server is given. A reader with select on one table signs a GET of
// that table's metadata file: every request authenticates the reader's JWT, decides the data policies against the
// set in force, checks the key against the table's location and signs SigV4. Each of `--repeats` rounds loads every
// route in turn; the median run of each is reported. All traffic goes to 127.0.0.1; everything stops by itself.
//
// Options: --duration=S [10] --repeats=N [3] --connections=N [10] --warmup=S [5] --no-write (print only)
//   --no-build: use dist/ as it is
//   --routes=me,config,sign: which routes to load (all three unless told; only `sign` under --profile)
//   --profile=DIR: the server runs under `node --cpu-prof` (profile written to DIR when it stops), and where its time
//   went is printed (nothing written to RESULTS.md). The profile samples wall time of the main thread: a process
//   descheduled inside a syscall (writev waking the load generator) counts there, so compare µs/req for CPU.
// Target (issue 19): signing >= 5,000 requests/s with p99 < 5 ms.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findS3sFs, startS3sFs } from '../test/support/s3s-fs.js';
import { prepareBuild } from './lib/build.js';
import { summarizeCpuProfile } from './lib/cpuprofile.js';
import { cpuMs, machineBusyMs } from './lib/proc.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    profile: { type: 'string' },
    routes: { type: 'string' },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'bench-admin-password-1';
const REF = 'LAKEPLANE_BENCH_SIGNING';

interface LoadResult {
  requestsMean: number;
  requestsTotal: number;
  durationSeconds: number;
  loadCpuTotalMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p99: number };
}

interface Measured extends LoadResult {
  /** The server's user+system CPU over the run divided by the requests it answered, in µs. */
  serverCpuUsPerReq: number;
  /** CPU that processes other than the server and the load generator used during the run, in cores. */
  otherCores: number;
}

/** One autocannon run in its own process, with the server's CPU (from /proc) read around it. */
function load(serverPid: number, url: string, headers: Record<string, string>, duration: number, extra: Record<string, unknown> = {}): Measured {
  const cpu0 = cpuMs(serverPid);
  const busy0 = machineBusyMs();
  const t0 = performance.now();
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'bench/load.mjs'), JSON.stringify({ url, headers, connections: Number(args.connections), duration, ...extra })],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const wallMs = performance.now() - t0;
  const cpu1 = cpuMs(serverPid);
  const busy1 = machineBusyMs();
  if (run.status !== 0) throw new Error(`load.mjs failed: ${run.stderr}`);
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as LoadResult;
  const serverMs = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : NaN;
  const other = busy0 !== undefined && busy1 !== undefined ? Math.max(0, busy1 - busy0 - serverMs - r.loadCpuTotalMs) / wallMs : NaN;
  return { ...r, serverCpuUsPerReq: (serverMs * 1000) / r.requestsTotal, otherCores: other };
}

async function call(base: string, method: string, p: string, token: string | undefined, body?: unknown): Promise<any> {
  const r = await fetch(base + p, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function token(base: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

/** SIGTERM, then wait: the server shuts down cleanly (and writes its CPU profile under --profile). */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

const median = <T>(xs: T[], by: (x: T) => number) => xs.slice().sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const bin = findS3sFs('bench:signing');
  if (!bin) process.exit(2);
  const s3 = await startS3sFs(bin);
  await s3.createBucket('lake');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let spawnedAt: number;
  try {
    if (args.profile) mkdirSync(args.profile, { recursive: true });
    const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
    await prepareBuild(root, os.tmpdir(), undefined, !args['no-build'], (msg) => console.error(msg));
    spawnedAt = performance.now();
    server = spawn(process.execPath, [...profiling, path.join(root, 'dist/serve.js')], {
      cwd: root,
      env: {
        ...process.env,
        LAKEPLANE_MODE: 'embedded',
        PORT: String(port),
        HOST: '127.0.0.1',
        LAKEPLANE_DATA_DIR: 'memory://',
        LAKEPLANE_ADMIN_PASSWORD: PASSWORD,
        LAKEPLANE_LOG_LEVEL: 'warn',
        DATABASE_URL: '',
        [`${REF}_ACCESS_KEY_ID`]: s3.credentials.accessKeyId,
        [`${REF}_SECRET_ACCESS_KEY`]: s3.credentials.secretAccessKey,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; ; i++) {
      if (
        (await fetch(`${base}/readyz`).then(
          (r) => r.status,
          () => 0,
        )) === 200
      )
        break;
      if (i > 600 || server.exitCode !== null) throw new Error('the server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const admin = await token(base, 'admin', PASSWORD);
    await call(base, 'POST', '/api/v1/warehouses', admin, {
      name: 'bench',
      storageLocation: 's3://lake/warehouse',
      credentialsRef: `env:${REF}`,
      remoteSigning: true,
      storage: { region: s3.region, endpoint: s3.endpoint, pathStyleAccess: true },
    });
    await call(base, 'POST', '/iceberg/v1/bench/namespaces', admin, { namespace: ['sales'] });
    const table = await call(base, 'POST', '/iceberg/v1/bench/namespaces/sales/tables', admin, {
      name: 'orders',
      schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
    });
    await call(base, 'POST', '/api/v1/policies', admin, {
      name: 'reader reads orders',
      resources: { warehouse: { values: ['bench'] }, namespace: { values: ['sales'] }, table: { values: ['orders'] } },
      allow: [{ users: ['reader'], accesses: ['select'] }],
    });
    await call(base, 'POST', '/api/v1/users', admin, { username: 'reader', password: 'reader-password-1' });
    const reader = await token(base, 'reader', 'reader-password-1');
    const metadata = (table['metadata-location'] as string).slice('s3://'.length);
    const signBody = JSON.stringify({ region: s3.region, method: 'GET', uri: `${s3.endpoint}/${metadata}`, headers: { 'user-agent': ['bench'] } });
    const signUrl = `${base}/iceberg/v1/bench/namespaces/sales/tables/orders/sign`;
    // One signed request really works against s3s-fs before anything is measured.
    const signed = await call(base, 'POST', '/iceberg/v1/bench/namespaces/sales/tables/orders/sign', reader, JSON.parse(signBody));
    const check = await fetch(`${s3.endpoint}/${metadata}`, {
      headers: Object.fromEntries(Object.entries(signed.headers as Record<string, string[]>).map(([k, v]) => [k, v.join(',')])),
    });
    if (check.status !== 200) throw new Error(`s3s-fs refused the signed request: ${check.status}`);
    const auth = { authorization: `Bearer ${reader}` };
    const jsonAuth = { ...auth, 'content-type': 'application/json' };
    const pid = server.pid!;
    const routes = [
      {
        key: 'me',
        label: "like-for-like baseline: GET /api/v1/me (reader's JWT; no database query)",
        run: (d: number) => load(pid, `${base}/api/v1/me`, auth, d),
      },
      {
        key: 'config',
        label: "GET /iceberg/v1/config (reader's JWT; one database query)",
        run: (d: number) => load(pid, `${base}/iceberg/v1/config?warehouse=bench`, auth, d),
      },
      {
        key: 'sign',
        label: 'POST .../tables/orders/sign (reader, GET of the metadata file)',
        run: (d: number) => load(pid, signUrl, jsonAuth, d, { method: 'POST', body: signBody }),
      },
    ].filter((r) => (args.routes ?? (args.profile ? 'sign' : 'me,config,sign')).split(',').includes(r.key));
    for (const r of routes) r.run(Number(args.warmup));
    const runs = new Map<string, Measured[]>(routes.map((r) => [r.key, []]));
    for (let i = 0; i < Number(args.repeats); i++) {
      for (const r of routes) {
        const from = (performance.now() - spawnedAt) / 1000;
        const m = r.run(Number(args.duration));
        runs.get(r.key)!.push(m);
        // Under --profile, when the run was (seconds after the server started) to cut its samples from the profile.
        const when = args.profile ? ` [${from.toFixed(1)}-${((performance.now() - spawnedAt) / 1000).toFixed(1)} s]` : '';
        console.error(
          `  ${r.key}${when}: ${Math.round(m.requestsMean)} req/s, p99 ${m.latencyMs.p99.toFixed(2)} ms, server ${m.serverCpuUsPerReq.toFixed(0)} µs/req, other processes ${m.otherCores.toFixed(2)} cores`,
        );
      }
    }
    for (const r of [...runs.values()].flat())
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`a run had failures: ${JSON.stringify(r.statuses)} errors ${r.errors}`);
    if (args.profile) {
      await stopServer(server);
      // The main thread's profile (thread id 0 in the name), should the server ever start a worker thread.
      const pidPart = `.${server.pid}.0.`;
      const file = readdirSync(args.profile)
        .filter((f) => f.endsWith('.cpuprofile') && f.includes(pidPart))
        .map((f) => path.join(args.profile!, f))[0];
      if (!file) throw new Error(`no profile was written to ${args.profile}`);
      const summary = summarizeCpuProfile(file, 40);
      console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled`);
      for (const [title, rows] of [
        ['self time by function', summary.selfByFunction],
        ['self time by module', summary.selfByModule],
        ['inclusive time by function', summary.inclusiveByFunction],
      ] as const) {
        console.log(`\n${title}:`);
        for (const row of rows) console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`);
      }
      return;
    }
    // A partial run (--routes) has no ratios to report: its runs are printed above, nothing is written.
    if (routes.length < 3) return;
    const medians = new Map(routes.map((r) => [r.key, median(runs.get(r.key)!, (m) => m.requestsMean)]));
    const s = medians.get('sign')!;
    const me = medians.get('me')!;
    const cfg = medians.get('config')!;
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'functions', 'shared'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const loads = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
    const pass = s.requestsMean >= 5000 && s.latencyMs.p99 < 5;
    const fmt = (r: Measured) =>
      `${Math.round(r.requestsMean).toLocaleString('en-US')} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)} | ${r.serverCpuUsPerReq.toFixed(0)} | ${r.otherCores.toFixed(2)}`;
    const all = (key: string) =>
      runs
        .get(key)!
        .map((r) => `${Math.round(r.requestsMean)} req/s p99 ${r.latencyMs.p99.toFixed(2)} ms ${r.serverCpuUsPerReq.toFixed(0)} µs`)
        .join('; ');
    const section = [
      `Run of ${commit}${dirty ? ' (with uncommitted changes)' : ''}, ${when} UTC, load average ${loads} (1, 5, 15 min) at the end, ${args.connections} connections, ${args.duration} s runs, median of ${args.repeats}:`,
      '',
      '| route | req/s | p50 ms | p99 ms | server CPU µs/req | other CPU (cores) |',
      '|---|---|---|---|---|---|',
      ...routes.map((r) => `| ${r.label} | ${fmt(medians.get(r.key)!)} |`),
      '',
      `Signing against the like-for-like baseline (/api/v1/me): ${(s.requestsMean / me.requestsMean).toFixed(2)}× the requests per second, ${(s.serverCpuUsPerReq / me.serverCpuUsPerReq).toFixed(2)}× the server CPU per request (against /v1/config: ${(s.requestsMean / cfg.requestsMean).toFixed(2)}×, ${(s.serverCpuUsPerReq / cfg.serverCpuUsPerReq).toFixed(2)}×).`,
      `Target (>= 5,000/s, p99 < 5 ms): **${pass ? 'PASS' : 'FAIL'}** (${Math.round(s.requestsMean).toLocaleString('en-US')} req/s, p99 ${s.latencyMs.p99.toFixed(2)} ms).`,
      '',
      `All runs: ${routes.map((r) => `${r.key}: ${all(r.key)}`).join('. ')}.`,
    ].join('\n');
    console.log(section);
    if (!args['no-write']) {
      const file = path.join(root, 'bench/RESULTS.md');
      const text = readFileSync(file, 'utf8');
      const start = '<!-- signing:start -->';
      const end = '<!-- signing:end -->';
      const i = text.indexOf(start);
      const j = text.indexOf(end);
      if (i >= 0 && j > i) writeFileSync(file, `${text.slice(0, i + start.length)}\n${section}\n${text.slice(j)}`);
      else console.warn('bench/RESULTS.md has no signing markers: nothing written');
    }
  } finally {
    if (server) await stopServer(server);
    await s3.stop();
  }
}

await main();
