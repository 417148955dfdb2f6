// `npm run bench:gateway` (issue 21): what the gateway costs. The catalog and iam functions run each as its own
// process, as Knative runs them (`LAKEPLANE_MODE=cluster FUNCTION_TARGET=<name> node dist/serve.js` on a scratch
// PostgreSQL database), and the same load reaches them, in the same run, through:
//
//   direct    nothing in front: the function's own port
//   gateway   `FUNCTION_TARGET=gateway node dist/serve.js` with LAKEPLANE_GATEWAY_UPSTREAMS naming the two
//   nginx     Debian's nginx as the same reverse proxy (a config generated into a temporary directory: an upstream
//             per function by path prefix, keep-alive to the upstreams, X-Forwarded-*, X-Request-Id, no buffering),
//             in the foreground, stopped at the end; skipped, loudly, when no nginx is installed
//
// Workloads: `GET /api/v1/me` (iam) and loadTable (`GET /iceberg/v1/bench/namespaces/…/tables/…?snapshots=all`,
// catalog; a table picked at random per request, seeded), at a fixed concurrency, authenticated with a personal
// access token that has no maxRequestsPerSecond (the gateway resolves the caller for its rate limits and lets it
// through). The targets run interleaved in rounds, the order rotating each round, and every figure is set beside the
// direct one of the same round: on this shared machine a ratio measured in one run is what holds.
//
// Targets (issue 21): through the gateway, p50 at most 1 ms above direct and at least 70% of direct's req/s.
//
// Options (defaults in brackets):
//   --rounds=N           measured rounds; each runs every workload on every target once [5]
//   --duration=S         seconds per measured run [8]
//   --warmup=S           unrecorded load per target and workload before the first round [4]
//   --connections=N      autocannon connections [10]
//   --namespaces=N, --tables=N   loadTable's tables, created over HTTP first [2, 200]
//   --workloads=LIST     me,loadTable [both]
//   --nginx-workers=N    nginx worker_processes: 1 is one event loop, as the gateway is one Node process [1]
//   --log-level=L        LAKEPLANE_LOG_LEVEL of every Lakeplane process [info]
//   --quiet-wait=S       seconds the bench may spend waiting for other processes to leave the CPU (< 0.2 cores),
//                        at most 8 s before each run; 0 never waits [40]
//   --ref=REF            measure a git commit's code (git archive, built in a temporary directory)
//   --compare-gateway=REF  also run the gateway of another commit (built the same way) in front of the same
//                        functions, as a fourth target: an improvement's before and after in one run
//   --gateway-node-args="A B"  extra node flags for the gateway (e.g. --cpu-prof --cpu-prof-dir=DIR); implies --no-write
//   --load=wrk|autocannon  the load generator [wrk when installed (Debian's package): C, a fraction of autocannon's
//                        CPU per request, so the client does not take a third of the 2 cores from the targets]
//   --no-nginx           leave nginx out
//   --no-build           use dist/ as it is (working tree only)
//   --no-write           print only; leave bench/RESULTS.md alone
//   --quick              smoke run: 1 round of 2 s, 1 s warm-up, 20 tables, no waiting, --no-write
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { functionNames } from '../functions/registry.js';
import { LOOPBACK, autocannonVersion, codeUnderTest, prepareBuild, redactedDatabaseUrl, startSink } from './lib/build.js';
import { gatewayConsoleReport, gatewayMarkdown, GATEWAY_MARKERS, summarize, type GatewayRun, type TargetInfo, type Workload } from './lib/gateway-report.js';
import { LoopbackClient, createTables } from './lib/iceberg-setup.js';
import { findNginx, nginxVersion, startNginx } from './lib/nginx.js';
import { prepareDatabase, serverVersion } from './lib/postgres.js';
import {
  childEnv,
  cpuMs,
  cpuMsBetween,
  cpuMsByPidMatching,
  cpuMsOfTree,
  freePort,
  httpJson,
  killChildren,
  machineBusyMs,
  probe,
  runNode,
  selfCpuMs,
  sleep,
  startNode,
  waitReady,
  type Child,
} from './lib/proc.js';
import { QUIET_CORES, QuietGate, backgroundCores } from './lib/quiet.js';
import { writeResults } from './lib/report.js';
import type { LoadResult } from './lib/throughput.js';
import { runWrk, wrkVersion } from './lib/wrk.js';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);

const { values: argv } = parseArgs({
  options: {
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    namespaces: { type: 'string' },
    tables: { type: 'string' },
    workloads: { type: 'string' },
    'nginx-workers': { type: 'string' },
    'log-level': { type: 'string' },
    'quiet-wait': { type: 'string' },
    ref: { type: 'string' },
    'compare-gateway': { type: 'string' },
    'gateway-node-args': { type: 'string' },
    load: { type: 'string' },
    'no-nginx': { type: 'boolean', default: false },
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

const WORKLOADS: readonly Workload[] = ['me', 'loadTable'];
const quick = argv.quick;
const opts = {
  rounds: int('rounds', argv.rounds, quick ? 1 : 5, 1),
  duration: int('duration', argv.duration, quick ? 2 : 8, 1),
  warmup: int('warmup', argv.warmup, quick ? 1 : 4, 0),
  connections: int('connections', argv.connections, 10, 1),
  namespaces: int('namespaces', argv.namespaces, quick ? 1 : 2, 1),
  tables: int('tables', argv.tables, quick ? 20 : 200, 1),
  workloads: (argv.workloads?.split(',').map((w) => w.trim()) ?? [...WORKLOADS]) as Workload[],
  nginxWorkers: int('nginx-workers', argv['nginx-workers'], 1, 1),
  logLevel: argv['log-level'] ?? 'info',
  quietWaitSeconds: int('quiet-wait', argv['quiet-wait'], quick ? 0 : 40, 0),
  ref: argv.ref,
  compareGateway: argv['compare-gateway'],
  gatewayNodeArgs: argv['gateway-node-args']?.split(' ').filter(Boolean) ?? [],
  nginx: !argv['no-nginx'],
  load: (argv.load ?? (wrkVersion() ? 'wrk' : 'autocannon')) as 'wrk' | 'autocannon',
  build: !argv['no-build'],
  write: !argv['no-write'] && !quick && argv['gateway-node-args'] === undefined,
};
if (opts.load !== 'wrk' && opts.load !== 'autocannon') throw new Error(`--load must be wrk or autocannon, got ${String(opts.load)}`);
if (opts.load === 'wrk' && !wrkVersion()) throw new Error('--load=wrk: wrk is not installed (apt-get install wrk)');
if (opts.ref && !opts.build) throw new Error('--ref builds the commit it names; it cannot go with --no-build');
for (const w of opts.workloads) if (!WORKLOADS.includes(w)) throw new Error(`--workloads: ${w} is not one of ${WORKLOADS.join(', ')}`);
const perNamespace = Math.ceil(opts.tables / opts.namespaces);

const ADMIN_PASSWORD = 'lakeplane-bench-admin-password';
const WAREHOUSE = 'bench';
/** Which function serves each workload. */
const SERVED_BY: Record<Workload, 'iam' | 'catalog'> = { me: 'iam', loadTable: 'catalog' };

const started = Date.now();
const progress = (msg: string) => void process.stderr.write(`[bench:gateway ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

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

/** A way in to the functions: its port, and the proxy process in front (none for direct). */
interface Target extends TargetInfo {
  port: (w: Workload) => number;
  proxy?: Child;
  /** nginx: a master and its workers. */
  proxyTree?: boolean;
}

/** A child the cleanup stops (children started later are stopped first). */
function owned(child: Child): Child {
  cleanups.push(() => child.stop());
  return child;
}

async function runLoad(port: number, w: Workload, token: string, pathsFile: string, duration: number, seed: number, workDir: string): Promise<LoadResult> {
  if (opts.load === 'wrk') {
    const url = `http://127.0.0.1:${port}${w === 'me' ? '/api/v1/me' : '/'}`;
    return runWrk({
      url,
      headers: { authorization: `Bearer ${token}` },
      connections: opts.connections,
      durationSeconds: duration,
      pathsFile: w === 'me' ? undefined : pathsFile,
      seed,
      workDir,
    });
  }
  const spec = w === 'me' ? { url: `http://127.0.0.1:${port}/api/v1/me` } : { url: `http://127.0.0.1:${port}/`, pathsFile, seed };
  const out = await runNode(
    ['bench/load.mjs', JSON.stringify({ ...spec, headers: { authorization: `Bearer ${token}` }, connections: opts.connections, duration })],
    childEnv({}),
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as LoadResult;
}

async function main(): Promise<void> {
  const baseUrl = process.env['DATABASE_URL'];
  if (!baseUrl) throw new Error('DATABASE_URL is not set: the functions run in cluster mode, on PostgreSQL (scripts/start-postgres.sh prints the URL)');
  if (!LOOPBACK.has(new URL(baseUrl).hostname)) throw new Error('DATABASE_URL names another host: the bench sends traffic to 127.0.0.1 only');

  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'lakeplane-bench-gateway-'));
  cleanups.push(async () => rmSync(tmpDir, { recursive: true, force: true }));
  const notes: string[] = [];

  const nginxBinary = opts.nginx ? findNginx() : undefined;
  if (opts.nginx && !nginxBinary) {
    notes.push(
      '**nginx SKIPPED: no nginx binary on this machine** (not on PATH, not in /usr/sbin): nothing to compare the gateway with. On Debian: `apt-get install nginx-light`.',
    );
    process.stderr.write(
      `\n${'!'.repeat(100)}\n!!! bench:gateway: nginx NOT FOUND (PATH, /usr/sbin): nginx is SKIPPED in this run (apt-get install nginx-light)\n${'!'.repeat(100)}\n\n`,
    );
  }

  const backgroundBefore = await backgroundCores(1500);
  progress(`background load: other processes use ${backgroundBefore?.toFixed(2) ?? 'n/a'} cores`);
  const code = codeUnderTest(root, opts.ref);
  const srcDir = await prepareBuild(root, tmpDir, opts.ref, opts.build, progress);
  const serve = path.join(srcDir, 'dist/serve.js');
  let baselineServe: string | undefined;
  let baselineCode: string | undefined;
  if (opts.compareGateway) {
    const dir = path.join(tmpDir, 'baseline');
    mkdirSync(dir);
    baselineCode = codeUnderTest(root, opts.compareGateway);
    baselineServe = path.join(await prepareBuild(root, dir, opts.compareGateway, true, progress), 'dist/serve.js');
  }

  const pgVersion = await serverVersion(baseUrl);
  progress(`PostgreSQL ${pgVersion}: creating a scratch database and applying the migrations (dist/migrate.js)`);
  const db = await prepareDatabase(baseUrl, path.join(srcDir, 'dist/migrate.js'));
  cleanups.push(() => db.drop());
  const sink = await startSink();
  cleanups.push(() => new Promise<void>((resolve) => sink.server.close(() => resolve())));

  // Ports first: every process is told the one issuer (the gateway's address), as the local cluster does.
  const ports = { iam: await freePort(), catalog: await freePort(), gateway: await freePort(), baseline: await freePort(), nginx: await freePort() };
  const common = {
    LAKEPLANE_MODE: 'cluster',
    DATABASE_URL: db.url,
    LAKEPLANE_BROKER_URL: sink.url,
    LAKEPLANE_LOG_LEVEL: opts.logLevel,
    HOST: '127.0.0.1',
    LAKEPLANE_ISSUER: `http://127.0.0.1:${ports.gateway}`,
  };
  // The functions believe X-Forwarded-For from a proxy on loopback, as bin/local-cluster sets them up.
  const fnEnv = (name: 'iam' | 'catalog') =>
    childEnv({ ...common, FUNCTION_TARGET: name, PORT: String(ports[name]), LAKEPLANE_TRUSTED_PROXIES: '127.0.0.1', LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD });
  progress('starting iam and catalog, each its own process (cluster mode)');
  const fns = {
    iam: owned(startNode([serve], fnEnv('iam'), path.join(tmpDir, 'iam.stdout.log'))),
    catalog: owned(startNode([serve], fnEnv('catalog'), path.join(tmpDir, 'catalog.stdout.log'))),
  };
  await Promise.all([waitReady(fns.iam, ports.iam), waitReady(fns.catalog, ports.catalog)]);

  // The credential: a personal access token of the admin, with no maxRequestsPerSecond (never limited).
  const form = new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString();
  const tok = await httpJson(ports.iam, 'POST', '/api/v1/auth/token', { 'content-type': 'application/x-www-form-urlencoded' }, form);
  const jwt = (tok.json as { access_token?: string }).access_token;
  if (tok.status !== 200 || !jwt) throw new Error(`password grant: ${tok.status} ${JSON.stringify(tok.json)}`);
  const minted = await httpJson(
    ports.iam,
    'POST',
    '/api/v1/tokens',
    { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    JSON.stringify({ name: 'bench-gateway' }),
  );
  const pat = (minted.json as { token?: string }).token;
  if (minted.status !== 201 || !pat) throw new Error(`minting a PAT: ${minted.status} ${JSON.stringify(minted.json)}`);
  const ceiling = (minted.json as { maxRequestsPerSecond?: number | null }).maxRequestsPerSecond;
  if (ceiling !== undefined && ceiling !== null) throw new Error(`the bench's PAT carries maxRequestsPerSecond ${ceiling}: it would be rate limited`);

  const pathsFile = path.join(tmpDir, 'paths.json');
  if (opts.workloads.includes('loadTable')) {
    const catalogClient = new LoopbackClient(ports.catalog, 8, () => ({ authorization: `Bearer ${pat}` }));
    await catalogClient.expect(201, 'POST', '/api/v1/warehouses', {
      name: WAREHOUSE,
      storageLocation: `file://${path.join(tmpDir, 'warehouse')}`,
      description: 'bench/gateway.ts',
    });
    const namespaces = Array.from({ length: opts.namespaces }, (_, i) => `bench_ns_${String(i).padStart(2, '0')}`);
    progress(`creating ${opts.namespaces} namespaces x ${perNamespace} tables (1 or 2 snapshots each) through the catalog`);
    const set = await createTables(catalogClient, `/iceberg/v1/${WAREHOUSE}`, namespaces, perNamespace, 8, (i) => (i % 2 === 0 ? 2 : 1));
    catalogClient.close();
    writeFileSync(pathsFile, JSON.stringify(set.paths.map((p) => `${p}?snapshots=all`)));
    notes.push(`loadTable's tables: ${set.paths.length} (${opts.namespaces} namespaces), made in ${set.seconds.toFixed(1)} s over HTTP`);
  }

  // The gateway must name every function; those not started here point at a port nothing listens on (not requested).
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const upstreamMap = Object.fromEntries(
    functionNames.map((n) => [n, n === 'iam' ? `http://127.0.0.1:${ports.iam}` : n === 'catalog' ? `http://127.0.0.1:${ports.catalog}` : nowhere]),
  );
  const gatewayEnv = (port: number) =>
    childEnv({ ...common, FUNCTION_TARGET: 'gateway', PORT: String(port), LAKEPLANE_GATEWAY_UPSTREAMS: JSON.stringify(upstreamMap) });
  const fnPort = (w: Workload) => ports[SERVED_BY[w]];
  const targets: Target[] = [
    { key: 'direct', title: 'direct', label: "the function's own port (iam for /api/v1/me, catalog for loadTable), nothing in front", port: fnPort },
  ];
  progress('starting the gateway' + (baselineServe ? ` and the gateway of ${opts.compareGateway}` : ''));
  const gateway = owned(startNode([...opts.gatewayNodeArgs, serve], gatewayEnv(ports.gateway), path.join(tmpDir, 'gateway.stdout.log')));
  await waitReady(gateway, ports.gateway);
  targets.push({
    key: 'gateway',
    title: 'gateway',
    label: `\`FUNCTION_TARGET=gateway node ${path.relative(srcDir, serve)}\` (${code}), LAKEPLANE_GATEWAY_UPSTREAMS naming iam and catalog (the other functions: a port nothing listens on)${opts.gatewayNodeArgs.length ? `, node flags ${opts.gatewayNodeArgs.join(' ')}` : ''}`,
    port: () => ports.gateway,
    proxy: gateway,
  });
  if (baselineServe) {
    const baseline = owned(startNode([baselineServe], gatewayEnv(ports.baseline), path.join(tmpDir, 'gateway-baseline.stdout.log')));
    await waitReady(baseline, ports.baseline);
    targets.push({
      key: 'gateway-baseline',
      title: `gateway @${opts.compareGateway}`,
      label: `the gateway of ${baselineCode}, same settings, in front of the same functions`,
      port: () => ports.baseline,
      proxy: baseline,
    });
  }
  if (nginxBinary) {
    const version = nginxVersion(nginxBinary);
    progress(`starting ${version} (${nginxBinary}) as the same proxy, ${opts.nginxWorkers} worker(s)`);
    const nginx = owned(
      startNginx(nginxBinary, {
        dir: path.join(tmpDir, 'nginx'),
        port: ports.nginx,
        upstreams: { iam: `http://127.0.0.1:${ports.iam}`, catalog: `http://127.0.0.1:${ports.catalog}` },
        routes: [
          { prefix: '/api/v1/me', exact: true, fn: 'iam' },
          { prefix: '/iceberg/', fn: 'catalog' },
        ],
        workers: opts.nginxWorkers,
        keepalive: 32,
      }),
    );
    const deadline = Date.now() + 10_000;
    while ((await probe(ports.nginx, '/api/v1/me')) !== 401) {
      if (Date.now() > deadline || nginx.proc.exitCode !== null) throw new Error(`nginx did not come up on ${ports.nginx}:\n${nginx.stderr()}`);
      await sleep(50);
    }
    targets.push({
      key: 'nginx',
      title: 'nginx',
      label: `${version} (${nginxBinary}, Debian's package), config generated by bench/lib/nginx.ts: worker_processes ${opts.nginxWorkers}, an upstream per function by path prefix (\`= /api/v1/me\` → iam, \`/iceberg/\` → catalog) with keepalive 32, HTTP/1.1 to the upstreams, X-Forwarded-For/Proto/Host, X-Request-Id passed (or made) and returned, proxy_buffering and proxy_request_buffering off (it streams, as the gateway does), a JSON access log line per request to a file`,
      port: () => ports.nginx,
      proxy: nginx,
      proxyTree: true,
    });
  }

  await checkTargets(targets, pat, pathsFile);

  const gate = new QuietGate(opts.quietWaitSeconds * 1000, progress);
  for (const w of opts.workloads) {
    for (const t of targets) {
      if (opts.warmup === 0) break;
      progress(`${w} via ${t.key}: warm-up ${opts.warmup} s`);
      await runLoad(t.port(w), w, pat, pathsFile, opts.warmup, 999, tmpDir);
    }
  }
  const runs: GatewayRun[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    for (const w of opts.workloads) {
      const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
      for (const t of order) {
        await gate.wait();
        const run = await measured(t, w, r, () => runLoad(t.port(w), w, pat, pathsFile, opts.duration, 1000 + r, tmpDir), fns, targets, db.name);
        if (run.result.non2xx > 0 || run.result.errors > 0)
          progress(`  warning: ${run.result.non2xx} non-2xx, ${run.result.errors} errors (${JSON.stringify(run.result.statuses)})`);
        progress(
          `round ${r + 1}/${opts.rounds} ${w} via ${t.key}: ${run.result.requestsMean.toFixed(0)} req/s, p50 ${run.result.latencyMs.p50.toFixed(2)} ms, p99 ${run.result.latencyMs.p99.toFixed(2)} ms, other CPU ${run.otherCores?.toFixed(2) ?? 'n/a'} cores`,
        );
        runs.push(run);
      }
    }
  }

  const backgroundAfter = await backgroundCores(1500);
  const summary = summarize(runs, targets, opts.workloads);
  const cpus = os.cpus();
  const facts = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `DATABASE_URL=${redactedDatabaseUrl(baseUrl)} npm run bench:gateway${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ran: `${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    machine: [
      `nproc: ${os.availableParallelism()} (${cpus[0]?.model.trim() ?? 'unknown CPU'})`,
      `Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`,
      `PostgreSQL ${pgVersion} on the same machine (127.0.0.1)`,
      `background load (CPU other processes used while the bench ran nothing, 1.5 s samples): ${backgroundBefore?.toFixed(2) ?? 'n/a'} cores before, ${backgroundAfter?.toFixed(2) ?? 'n/a'} cores after; load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    ],
    settings: [
      `code under test: ${code}`,
      `functions: \`LAKEPLANE_MODE=cluster FUNCTION_TARGET=iam\` and \`FUNCTION_TARGET=catalog node ${path.relative(srcDir, serve)}\`, each its own process, on PostgreSQL ${pgVersion} (127.0.0.1, scratch database), log level ${opts.logLevel} (stdout to a file), events to a local sink, LAKEPLANE_TRUSTED_PROXIES=127.0.0.1`,
      ...targets.map((t) => `${t.title}: ${t.label}`),
      `load: ${opts.load === 'wrk' ? `${wrkVersion() ?? 'wrk'} (Debian's package, C; one thread, a Lua script per run: bench/lib/wrk.ts)` : `autocannon ${autocannonVersion(root)} in its own process (bench/load.mjs)`}, ${opts.connections} keep-alive connections, no pipelining, \`Authorization: Bearer\` a personal access token of the admin with no maxRequestsPerSecond; GET /api/v1/me, and loadTable as GET …/tables/{table}?snapshots=all on a table picked at random per request (seeded: the same sequence for every target in a round)`,
      `${opts.warmup} s warm-up per target and workload, then ${opts.rounds} rounds; in each round every workload runs ${opts.duration} s on every target, the targets' order rotating from round to round`,
      opts.quietWaitSeconds > 0
        ? `before each run the bench waited for other processes to use < ${QUIET_CORES} cores (0.5 s samples, at most 8 s a time, ${opts.quietWaitSeconds} s in all): ${gate.describe()}`
        : 'no waiting for a quiet machine (--quiet-wait=0)',
      ...notes,
    ],
  };
  process.stdout.write(`\n${gatewayConsoleReport(summary)}\n\n`);
  if (opts.write) {
    writeResults(path.join(root, 'bench', 'RESULTS.md'), gatewayMarkdown(facts, summary, runs), GATEWAY_MARKERS);
    progress('wrote the gateway section of bench/RESULTS.md');
  }
}

/**
 * Every target answers both workloads with 200 and the same body as direct, and the proxies return the request id
 * they were sent: a proxy that answered something else would be measured for nothing.
 */
async function checkTargets(targets: Target[], pat: string, pathsFile: string): Promise<void> {
  const auth = { authorization: `Bearer ${pat}` };
  const samplePath = opts.workloads.includes('loadTable') ? (JSON.parse(readFileSync(pathsFile, 'utf8')) as string[])[0] : undefined;
  const bodies = new Map<string, string>();
  for (const t of targets) {
    for (const w of opts.workloads) {
      const p = w === 'me' ? '/api/v1/me' : (samplePath as string);
      const requestId = `bench-check-${t.key}-${w}`;
      const r = await rawGet(t.port(w), p, { ...auth, 'x-request-id': requestId });
      if (r.status !== 200) throw new Error(`${w} via ${t.key}: GET ${p} answered ${r.status} ${r.body.slice(0, 300)}`);
      if (t.proxy && r.requestId !== requestId) throw new Error(`${w} via ${t.key}: the answer's X-Request-Id is ${r.requestId}, not the ${requestId} sent`);
      const body = w === 'me' ? JSON.stringify((JSON.parse(r.body) as { authentication?: unknown }).authentication) : r.body;
      const direct = bodies.get(w);
      if (direct === undefined) bodies.set(w, body);
      else if (direct !== body) throw new Error(`${w} via ${t.key}: the answer differs from direct's`);
    }
  }
}

function rawGet(port: number, p: string, headers: Record<string, string>): Promise<{ status: number; body: string; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, requestId: res.headers['x-request-id'] as string | undefined }));
    });
    req.on('error', reject);
  });
}

/** One run, with the CPU of every process the bench knows of, so what is left of the machine's busy time is others'. */
async function measured(
  t: Target,
  w: Workload,
  round: number,
  load: () => Promise<LoadResult>,
  fns: { iam: Child; catalog: Child },
  targets: Target[],
  dbName: string,
): Promise<GatewayRun> {
  const proxyCpu = (x: Target) => (x.proxy ? ((x.proxyTree ? cpuMsOfTree(x.proxy.pid) : cpuMs(x.proxy.pid)) ?? 0) : 0);
  const snap = () => ({
    fn: cpuMs(fns[SERVED_BY[w]].pid) ?? 0,
    fnsAll: (cpuMs(fns.iam.pid) ?? 0) + (cpuMs(fns.catalog.pid) ?? 0),
    proxy: proxyCpu(t),
    proxiesAll: targets.reduce((sum, x) => sum + proxyCpu(x), 0),
    db: cpuMsByPidMatching(dbName),
    busy: machineBusyMs(),
    self: selfCpuMs(),
    t: performance.now(),
  });
  const a = snap();
  const result = await load();
  const b = snap();
  const wallMs = b.t - a.t;
  const dbMs = cpuMsBetween(a.db, b.db);
  const ours = b.fnsAll - a.fnsAll + (b.proxiesAll - a.proxiesAll) + dbMs + result.loadCpuTotalMs + (b.self - a.self);
  const served = Math.max(1, result.requestsTotal);
  return {
    round,
    workload: w,
    target: t.key,
    result,
    wallMs,
    fnCpuUsPerRequest: ((b.fn - a.fn) * 1000) / served,
    proxyCpuUsPerRequest: t.proxy ? ((b.proxy - a.proxy) * 1000) / served : undefined,
    dbCpuUsPerRequest: (dbMs * 1000) / served,
    loadCpuUsPerRequest: (result.loadCpuMs * 1000) / served,
    otherCores: a.busy !== undefined && b.busy !== undefined ? Math.max(0, b.busy - a.busy - ours) / wallMs : undefined,
  };
}

main()
  .then(
    () => 0,
    (err: unknown) => {
      process.stderr.write(`bench:gateway failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 1;
    },
  )
  .then(async (exitCode) => {
    // SIGTERM first (a gateway started with --cpu-prof writes its profile then); whatever is left is killed.
    await cleanup();
    killChildren();
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.exit(exitCode);
  });
