// `npm run bench:signing`: the S3 signer (remote signing) under load, over real HTTP, against a baseline measured in
// the same run on the same server: GET /iceberg/v1/config (authenticated, authorized, one small JSON answer), so the
// ratio holds on this noisy shared machine where absolute figures move with other processes.
//
// The server runs from source (`node --import tsx bin/serve.ts`, embedded mode, PGlite in memory, log level warn) in
// its own process; the load generator (autocannon, bench/load.mjs) is another process. s3s-fs (scripts/
// install-s3s-fs.sh) holds the warehouse's files, with keys only the server is given. A reader with select on one
// table signs a GET of that table's metadata file: every request authenticates the reader's JWT, re-decides the
// data policies, checks the key against the table's location and signs SigV4. Runs alternate baseline / signing,
// `--repeats` of each; the median run of each is reported. All traffic goes to 127.0.0.1; everything stops by itself.
//
// Options: --duration=S [10] --repeats=N [3] --connections=N [10] --warmup=S [5] --no-write (print only)
// Target (issue 19): signing >= 5,000 requests/s with p99 < 5 ms.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findS3sFs, startS3sFs } from '../test/support/s3s-fs.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'bench-admin-password-1';
const REF = 'LAKEPLANE_BENCH_SIGNING';

interface LoadResult {
  requestsMean: number;
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p99: number };
}

function load(url: string, headers: Record<string, string>, duration: number, extra: Record<string, unknown> = {}): LoadResult {
  const run = spawnSync(process.execPath, [path.join(root, 'bench/load.mjs'), JSON.stringify({ url, headers, connections: Number(args.connections), duration, ...extra })], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`load.mjs failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as LoadResult;
}

async function call(base: string, method: string, p: string, token: string | undefined, body?: unknown): Promise<any> {
  const r = await fetch(base + p, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function token(base: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', username, password }) });
  return ((await r.json()) as { access_token: string }).access_token;
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
  try {
    server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bin/serve.ts')], {
      cwd: root,
      env: {
        ...process.env, LAKEPLANE_MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', LAKEPLANE_DATA_DIR: 'memory://', LAKEPLANE_ADMIN_PASSWORD: PASSWORD,
        LAKEPLANE_LOG_LEVEL: 'warn', DATABASE_URL: '', [`${REF}_ACCESS_KEY_ID`]: s3.credentials.accessKeyId, [`${REF}_SECRET_ACCESS_KEY`]: s3.credentials.secretAccessKey,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200) break;
      if (i > 600 || server.exitCode !== null) throw new Error('the server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const admin = await token(base, 'admin', PASSWORD);
    await call(base, 'POST', '/api/v1/warehouses', admin, { name: 'bench', storageLocation: 's3://lake/warehouse', credentialsRef: `env:${REF}`, remoteSigning: true, storage: { region: s3.region, endpoint: s3.endpoint, pathStyleAccess: true } });
    await call(base, 'POST', '/iceberg/v1/bench/namespaces', admin, { namespace: ['sales'] });
    const table = await call(base, 'POST', '/iceberg/v1/bench/namespaces/sales/tables', admin, { name: 'orders', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } });
    await call(base, 'POST', '/api/v1/policies', admin, { name: 'reader reads orders', resources: { warehouse: { values: ['bench'] }, namespace: { values: ['sales'] }, table: { values: ['orders'] } }, allow: [{ users: ['reader'], accesses: ['select'] }] });
    await call(base, 'POST', '/api/v1/users', admin, { username: 'reader', password: 'reader-password-1' });
    const reader = await token(base, 'reader', 'reader-password-1');
    const metadata = (table['metadata-location'] as string).slice('s3://'.length);
    const signBody = JSON.stringify({ region: s3.region, method: 'GET', uri: `${s3.endpoint}/${metadata}`, headers: { 'user-agent': ['bench'] } });
    const signUrl = `${base}/iceberg/v1/bench/namespaces/sales/tables/orders/sign`;
    // One signed request really works against s3s-fs before anything is measured.
    const signed = await call(base, 'POST', '/iceberg/v1/bench/namespaces/sales/tables/orders/sign', reader, JSON.parse(signBody));
    const check = await fetch(`${s3.endpoint}/${metadata}`, { headers: Object.fromEntries(Object.entries(signed.headers as Record<string, string[]>).map(([k, v]) => [k, v.join(',')])) });
    if (check.status !== 200) throw new Error(`s3s-fs refused the signed request: ${check.status}`);
    const auth = { authorization: `Bearer ${reader}` };
    const jsonAuth = { ...auth, 'content-type': 'application/json' };
    const configUrl = `${base}/iceberg/v1/config?warehouse=bench`;
    load(configUrl, auth, Number(args.warmup));
    load(signUrl, jsonAuth, Number(args.warmup), { method: 'POST', body: signBody });
    const baseline: LoadResult[] = [];
    const signing: LoadResult[] = [];
    for (let i = 0; i < Number(args.repeats); i++) {
      baseline.push(load(configUrl, auth, Number(args.duration)));
      signing.push(load(signUrl, jsonAuth, Number(args.duration), { method: 'POST', body: signBody }));
    }
    for (const r of [...baseline, ...signing]) if (r.non2xx > 0 || r.errors > 0) throw new Error(`a run had failures: ${JSON.stringify(r.statuses)} errors ${r.errors}`);
    const b = median(baseline, (r) => r.requestsMean);
    const s = median(signing, (r) => r.requestsMean);
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'functions', 'shared'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const load1 = os.loadavg()[0]!.toFixed(2);
    const pass = s.requestsMean >= 5000 && s.latencyMs.p99 < 5;
    const fmt = (r: LoadResult) => `${Math.round(r.requestsMean).toLocaleString('en-US')} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)}`;
    const section = [
      `Run of ${commit}${dirty ? ' (with uncommitted changes)' : ''}, ${when} UTC, load average ${load1} at the end, ${args.connections} connections, ${args.duration} s runs, median of ${args.repeats}:`,
      '',
      '| route | req/s | p50 ms | p99 ms |',
      '|---|---|---|---|',
      `| baseline: GET /iceberg/v1/config (reader's JWT) | ${fmt(b)} |`,
      `| POST .../tables/orders/sign (reader, GET of the metadata file) | ${fmt(s)} |`,
      '',
      `Signing / baseline: ${(s.requestsMean / b.requestsMean).toFixed(2)}× the requests per second. Target (>= 5,000/s, p99 < 5 ms): **${pass ? 'PASS' : 'FAIL'}**.`,
      `All runs: baseline ${baseline.map((r) => Math.round(r.requestsMean)).join(', ')} req/s; signing ${signing.map((r) => Math.round(r.requestsMean)).join(', ')} req/s (p99 ${signing.map((r) => r.latencyMs.p99.toFixed(2)).join(', ')} ms).`,
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
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await s3.stop();
  }
}

await main();
