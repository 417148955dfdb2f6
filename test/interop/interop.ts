/**
 * What the interop suites share: finding the real clients that scripts/install-interop.sh installs, a platform with a
 * warehouse and a service account for them, and running a client script that answers in JSON.
 *
 * The clients are found through the variables the install script prints (LAKEPLANE_INTEROP_PYTHON,
 * LAKEPLANE_ICEBERG_SPARK_JAR), else in the install script's default places under LAKEPLANE_CACHE_DIR
 * (~/.cache/lakeplane). A suite whose client is missing skips loudly via missingPrerequisite (a failure in CI).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** How to get what a suite misses; said once per skip message. */
export const INSTALL_HINT = 'run scripts/install-interop.sh (CI does)';

const cacheDir = () => process.env['LAKEPLANE_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'lakeplane');

/** Is the client log wanted on the console? The same switch as the platform's logs in tests. */
const verbose = () => !['', 'silent'].includes(process.env['LAKEPLANE_TEST_LOG_LEVEL'] ?? '');

/** A found prerequisite, or why it is missing. */
export type Found<T> = { ok: true; value: T } | { ok: false; why: string };

/** The interop venv's Python, if it can import every module named. */
export function findInteropPython(modules: readonly string[]): Found<string> {
  const fromEnv = process.env['LAKEPLANE_INTEROP_PYTHON'];
  const python = fromEnv ?? path.join(cacheDir(), 'venv', 'bin', 'python');
  if (!existsSync(python)) return { ok: false, why: `no Python at ${python} (${fromEnv ? 'LAKEPLANE_INTEROP_PYTHON' : 'the default venv'})` };
  try {
    execFileSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'pipe', timeout: 60_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1) ?? String(err);
    return { ok: false, why: `${python} cannot import ${modules.join(', ')} (${stderr})` };
  }
  return { ok: true, value: python };
}

/** Iceberg's Spark 3.5 runtime jar: LAKEPLANE_ICEBERG_SPARK_JAR, else the newest in the cache's jars/ folder. */
export function findIcebergSparkJar(): Found<string> {
  const fromEnv = process.env['LAKEPLANE_ICEBERG_SPARK_JAR'];
  if (fromEnv) return existsSync(fromEnv) ? { ok: true, value: fromEnv } : { ok: false, why: `LAKEPLANE_ICEBERG_SPARK_JAR=${fromEnv} does not exist` };
  const dir = path.join(cacheDir(), 'jars');
  const jars = existsSync(dir) ? readdirSync(dir).filter((f) => /^iceberg-spark-runtime-3\.5_2\.12-[\d.]+\.jar$/.test(f)) : [];
  const newest = jars.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
  return newest ? { ok: true, value: path.join(dir, newest) } : { ok: false, why: `no iceberg-spark-runtime-3.5_2.12-*.jar in ${dir}` };
}

/** A Java that Spark 3.5 runs on (17 to 21): JAVA_HOME's, else java on PATH. Answers its major version. */
export function findSparkJava(): Found<number> {
  const javaHome = process.env['JAVA_HOME'];
  const java = javaHome ? path.join(javaHome, 'bin', 'java') : 'java';
  // java -version writes to stderr.
  const probe = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return { ok: false, why: `no ${java} (${probe.error.message}); install a JDK 17 (Debian: openjdk-17-jre-headless) or set JAVA_HOME` };
  const text = `${probe.stdout}${probe.stderr}`;
  const version = /java\.specification\.version = (\d+)/.exec(text)?.[1];
  const major = Number(version);
  if (!(major >= 17 && major <= 21)) return { ok: false, why: `${java} is Java ${version ?? '?'}; Spark 3.5 with Iceberg 1.11 needs 17 to 21 (set JAVA_HOME)` };
  return { ok: true, value: major };
}

/** What an Iceberg client needs to reach our catalog as a service account. */
export interface CatalogConnection {
  /** The catalog's base URI, http://127.0.0.1:PORT/iceberg. */
  uri: string;
  warehouse: string;
  /** client_id:client_secret of an admin service account. */
  credential: string;
  oauth2ServerUri: string;
}

export interface InteropCatalog {
  readonly platform: TestPlatform;
  readonly connection: CatalogConnection;
  /** The warehouse's directory on disk. */
  readonly root: string;
  /** An access token of the service account (client_credentials grant). */
  serviceToken(): Promise<string>;
  close(): Promise<void>;
}

/** The platform on `backend`, a warehouse `wh` in a fresh temporary directory, and an admin service account. */
export async function startInteropCatalog(backend: Backend): Promise<InteropCatalog> {
  const platform = await startPlatform(backend);
  const root = mkdtempSync(path.join(tmpdir(), 'lakeplane-interop-'));
  try {
    const admin = await platform.adminToken();
    const wh = await platform.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } });
    if (wh.status !== 201) throw new Error(`creating the warehouse: ${wh.status} ${JSON.stringify(wh.body)}`);
    const sa = await platform.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'interop', isAdmin: true } });
    if (sa.status !== 201) throw new Error(`creating the service account: ${sa.status} ${JSON.stringify(sa.body)}`);
    const { clientId, clientSecret } = sa.body.credentials as { clientId: string; clientSecret: string };
    const connection: CatalogConnection = {
      uri: `${platform.url}/iceberg`,
      warehouse: 'wh',
      credential: `${clientId}:${clientSecret}`,
      oauth2ServerUri: `${platform.url}/api/v1/auth/token`,
    };
    return {
      platform,
      connection,
      root,
      async serviceToken() {
        const r = await fetch(connection.oauth2ServerUri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'catalog' }),
        });
        const body = (await r.json()) as { access_token?: string };
        if (r.status !== 200 || !body.access_token) throw new Error(`service account token: ${r.status} ${JSON.stringify(body)}`);
        return body.access_token;
      },
      async close() {
        await platform.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await platform.close();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

export interface ScriptRun<T> {
  /** The JSON object on the script's last stdout line. */
  result: T;
  exitCode: number | null;
  stderr: string;
  durationMs: number;
}

/**
 * Runs `python script '<json config>'` and parses the JSON object it prints last. Fails with the script's own error
 * report (step, message, trace) and the tail of its stderr when it exits non-zero or prints no JSON.
 */
export async function runClientScript<T>(python: string, script: string, config: unknown, options: { env?: Record<string, string>; timeoutMs: number }): Promise<ScriptRun<T>> {
  const started = Date.now();
  const child = spawn(python, [script, JSON.stringify(config)], {
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    if (verbose()) process.stderr.write(c);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  const durationMs = Date.now() - started;
  const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  const tail = stderr.split('\n').slice(-40).join('\n');
  let parsed: unknown;
  try {
    parsed = last ? JSON.parse(last) : undefined;
  } catch {
    parsed = undefined;
  }
  if (exitCode !== 0 || parsed === undefined) {
    const report = parsed as { error?: string; step?: string; trace?: string; steps?: unknown } | undefined;
    const what = report?.error
      ? `failed at step "${report.step}": ${report.error}\n${report.trace ?? ''}\nsteps so far: ${JSON.stringify(report.steps)}`
      : `exited ${exitCode ?? 'by a signal (timeout?)'} after ${durationMs} ms without a JSON answer; stdout:\n${stdout.slice(-4000)}`;
    throw new Error(`${path.basename(script)} ${what}\n--- stderr (last 40 lines) ---\n${tail}`);
  }
  return { result: parsed as T, exitCode, stderr, durationMs };
}
