import { statSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, cpuMs, cpuMsBetween, cpuMsByPidMatching, freePort, httpJson, machineBusyMs, runNode, selfCpuMs, startNode, waitReady } from './proc.js';
import { median } from './stats.js';

export const ADMIN_PASSWORD = 'lakeplane-bench-admin-password';

export interface Backend {
  key: 'pglite' | 'postgres';
  /** How the server runs, for the report. */
  label: string;
  env: Record<string, string | undefined>;
  /** Text in the command line of the database server processes serving only this backend (PostgreSQL backends show their database's name), to count their CPU. */
  dbProcessMarker?: string | undefined;
}

/** One autocannon run, as bench/load.mjs reports it. */
export interface LoadResult {
  requestsMean: number;
  requestsStddev: number;
  requestsTotal: number;
  durationSeconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  latencyMs: { mean: number; p50: number; p90: number; p97_5: number; p99: number; p99_9: number; max: number };
  autocannonLatencyMs: { p50: number; p97_5: number; p99: number; max: number };
  loadCpuMs: number;
  /** CPU of the whole load generator process, its start-up included. */
  loadCpuTotalMs: number;
  /** Added here: server CPU (user+system) per request during the measured run, in µs. */
  serverCpuUsPerRequest?: number | undefined;
  /** Added here: bytes of log written to stdout per request during the measured run. */
  logBytesPerRequest?: number | undefined;
  /** Added here: CPU of the database server processes of this backend per request, in µs (PostgreSQL only). */
  dbCpuUsPerRequest?: number | undefined;
  /**
   * Added here: CPU that processes outside the bench (not the server, the load generator, this backend's database
   * processes or the bench itself) used during the run, in cores. On a 2-core machine anything well above 0 competes
   * with the server and the load generator and inflates latency.
   */
  otherCpuCores?: number | undefined;
}

export type Auth = 'jwt' | 'pat';

export interface ThroughputRow {
  backend: Backend;
  logLevel: string;
  auth: Auth;
  /** Every measured repeat, in order. */
  runs: LoadResult[];
  /** The repeat with the median req/s; its figures are the ones reported. */
  chosen: LoadResult;
}

export interface ThroughputOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  repeats: number;
  logLevels: string[];
  tmpDir: string;
  /** The server's entry point, run with node: the built output. */
  serverEntry: string;
  progress: (msg: string) => void;
  /** Awaited before each measured run: lets the bench wait (bounded) for other processes to leave the CPU. */
  settle?: () => Promise<void>;
}

async function runLoad(url: string, token: string, connections: number, duration: number): Promise<LoadResult> {
  const out = await runNode(['bench/load.mjs', JSON.stringify({ url, connections, duration, headers: { authorization: `Bearer ${token}` } })], childEnv({}));
  return JSON.parse(out.trim().split('\n').pop() as string) as LoadResult;
}

async function credentials(port: number): Promise<{ jwt: string; pat: string }> {
  const form = new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString();
  const tok = await httpJson(port, 'POST', '/api/v1/auth/token', { 'content-type': 'application/x-www-form-urlencoded' }, form);
  const jwt = (tok.json as { access_token?: string }).access_token;
  if (tok.status !== 200 || !jwt) throw new Error(`password grant failed: ${tok.status} ${JSON.stringify(tok.json)}`);
  const created = await httpJson(
    port,
    'POST',
    '/api/v1/tokens',
    { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    JSON.stringify({ name: `bench-${Date.now()}` }),
  );
  const pat = (created.json as { token?: string }).token;
  if (created.status !== 201 || !pat) throw new Error(`minting a PAT failed: ${created.status} ${JSON.stringify(created.json)}`);
  for (const [kind, token, method] of [
    ['JWT', jwt, 'access_token'],
    ['PAT', pat, 'personal_access_token'],
  ] as const) {
    const me = await httpJson(port, 'GET', '/api/v1/me', { authorization: `Bearer ${token}` });
    const got = (me.json as { authentication?: { method?: string } }).authentication?.method;
    if (me.status !== 200 || got !== method) throw new Error(`GET /api/v1/me with the ${kind} answered ${me.status} ${JSON.stringify(me.json)}`);
  }
  return { jwt, pat };
}

/** One server per (backend, log level); JWT and PAT runs interleave on it, after one warm-up each. */
export async function benchThroughput(backends: Backend[], o: ThroughputOptions): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const backend of backends) {
    for (const logLevel of o.logLevels) {
      const port = await freePort();
      const logFile = join(o.tmpDir, `${backend.key}-${logLevel}.stdout.log`);
      const env = childEnv({ ...backend.env, PORT: String(port), HOST: '127.0.0.1', LAKEPLANE_LOG_LEVEL: logLevel, LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD });
      const child = startNode([o.serverEntry], env, logFile);
      try {
        await waitReady(child, port);
        const creds = await credentials(port);
        const url = `http://127.0.0.1:${port}/api/v1/me`;
        const runs: Record<Auth, LoadResult[]> = { jwt: [], pat: [] };
        for (let r = 0; r < o.repeats; r++) {
          const order: Auth[] = r % 2 === 0 ? ['jwt', 'pat'] : ['pat', 'jwt'];
          for (const auth of order) {
            const token = auth === 'jwt' ? creds.jwt : creds.pat;
            if (r === 0 && o.warmupSeconds > 0) {
              o.progress(`${backend.key} log=${logLevel} ${auth}: warm-up ${o.warmupSeconds} s`);
              await runLoad(url, token, o.connections, o.warmupSeconds);
            }
            await o.settle?.();
            o.progress(`${backend.key} log=${logLevel} ${auth}: run ${r + 1}/${o.repeats}, ${o.durationSeconds} s, ${o.connections} connections`);
            const cpu0 = cpuMs(child.pid);
            const log0 = statSync(logFile).size;
            const db0 = backend.dbProcessMarker ? cpuMsByPidMatching(backend.dbProcessMarker) : new Map<number, number>();
            const busy0 = machineBusyMs();
            const self0 = selfCpuMs();
            const t0 = performance.now();
            const result = await runLoad(url, token, o.connections, o.durationSeconds);
            const wallMs = performance.now() - t0;
            const self1 = selfCpuMs();
            const busy1 = machineBusyMs();
            const db1 = backend.dbProcessMarker ? cpuMsByPidMatching(backend.dbProcessMarker) : new Map<number, number>();
            const dbMs = cpuMsBetween(db0, db1);
            const cpu1 = cpuMs(child.pid);
            const log1 = statSync(logFile).size;
            const served = Math.max(1, result.requestsTotal);
            const serverMs = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
            result.serverCpuUsPerRequest = serverMs !== undefined ? (serverMs * 1000) / served : undefined;
            result.logBytesPerRequest = (log1 - log0) / served;
            result.dbCpuUsPerRequest = backend.dbProcessMarker ? (dbMs * 1000) / served : undefined;
            result.otherCpuCores =
              busy0 !== undefined && busy1 !== undefined && serverMs !== undefined
                ? Math.max(0, busy1 - busy0 - serverMs - result.loadCpuTotalMs - dbMs - (self1 - self0)) / wallMs
                : undefined;
            if (result.non2xx > 0 || result.errors > 0) {
              o.progress(`  warning: ${result.non2xx} non-2xx answers, ${result.errors} errors (${JSON.stringify(result.statuses)})`);
            }
            runs[auth].push(result);
          }
        }
        for (const auth of ['jwt', 'pat'] as const) {
          const list = runs[auth];
          const mid = median(list.map((x) => x.requestsMean));
          const chosen = list.reduce((best, x) => (Math.abs(x.requestsMean - mid) < Math.abs(best.requestsMean - mid) ? x : best), list[0] as LoadResult);
          rows.push({ backend, logLevel, auth, runs: list, chosen });
        }
      } catch (err) {
        throw new Error(`${backend.key} (log level ${logLevel}): ${(err as Error).message}\nserver stderr:\n${child.stderr()}`, { cause: err });
      } finally {
        await child.stop();
      }
    }
  }
  return rows;
}
