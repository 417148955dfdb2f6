/**
 * What the interop suites share: finding the real clients that scripts/install-interop.sh installs, a platform with a
 * warehouse and a service account for them, and running a client script that answers in JSON.
 *
 * The clients are found through the variables the install script prints (LAKEPLANE_INTEROP_PYTHON,
 * LAKEPLANE_ICEBERG_SPARK_JAR, LAKEPLANE_ICEBERG_AWS_JAR), else in the install script's default places under
 * LAKEPLANE_CACHE_DIR (~/.cache/lakeplane). A suite whose client is missing skips loudly via missingPrerequisite (a
 * failure in CI).
 *
 * A warehouse is a temporary directory (file://), or a prefix in a bucket of the test S3 server (test/support/s3.ts)
 * with static credential vending: there the clients are told nothing about S3 and take endpoint, region, path style
 * and keys from loadTable's answer.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import type { TestS3 } from '../support/s3.js';
import { keysForCatalog, storageOf } from '../support/s3.js';

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

/** Iceberg's AWS bundle (S3FileIO and its AWS SDK), of the runtime jar's version: LAKEPLANE_ICEBERG_AWS_JAR, else the cache's. */
export function findIcebergAwsJar(runtimeJar: Found<string>): Found<string> {
  const fromEnv = process.env['LAKEPLANE_ICEBERG_AWS_JAR'];
  if (fromEnv) return existsSync(fromEnv) ? { ok: true, value: fromEnv } : { ok: false, why: `LAKEPLANE_ICEBERG_AWS_JAR=${fromEnv} does not exist` };
  if (!runtimeJar.ok) return { ok: false, why: 'no Iceberg AWS bundle without the Spark runtime jar' };
  // The bundle must be of the runtime's version: S3FileIO implements the runtime's FileIO interfaces.
  const version = /-(\d[\d.]*)\.jar$/.exec(runtimeJar.value)?.[1];
  const bundle = path.join(path.dirname(runtimeJar.value), `iceberg-aws-bundle-${version}.jar`);
  return existsSync(bundle) ? { ok: true, value: bundle } : { ok: false, why: `no ${bundle} (the AWS bundle of Iceberg ${version})` };
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
  /** The warehouse's directory on disk (file:// warehouses; '' on S3). */
  readonly root: string;
  /** The warehouse's storage location: file:///… or s3://bucket/prefix. */
  readonly storageLocation: string;
  /** An access token of the service account (client_credentials grant). */
  serviceToken(): Promise<string>;
  close(): Promise<void>;
}

/** An S3 warehouse for startInteropCatalog: `s3://bucket/prefix` on the test server, vending its keys statically. */
export interface S3WarehouseOptions {
  s3: TestS3;
  bucket: string;
  /** Default `warehouse`. */
  prefix?: string;
}

/**
 * The catalog reads an S3 warehouse's keys from its own environment (credentialsRef env:PREFIX); the platform runs
 * in this process, so these go into process.env.
 */
export const INTEROP_S3_CREDENTIALS_REF = 'LAKEPLANE_INTEROP_S3';

/**
 * The platform on `backend`, a warehouse `wh` and an admin service account. The warehouse is a fresh temporary
 * directory, or with `s3` a prefix in a bucket of the test S3 server, with static credential vending.
 */
export async function startInteropCatalog(backend: Backend, options: { s3?: S3WarehouseOptions; env?: Record<string, string> } = {}): Promise<InteropCatalog> {
  const { s3 } = options;
  if (s3) {
    keysForCatalog(INTEROP_S3_CREDENTIALS_REF, s3.s3.credentials);
  }
  const platform = await startPlatform(backend, options.env ? { env: options.env } : {});
  const root = s3 ? '' : mkdtempSync(path.join(tmpdir(), 'lakeplane-interop-'));
  const storageLocation = s3 ? `s3://${s3.bucket}/${s3.prefix ?? 'warehouse'}` : pathToFileURL(root).href;
  const removeRoot = () => {
    if (root) rmSync(root, { recursive: true, force: true });
  };
  try {
    const admin = await platform.adminToken();
    const body = s3
      ? {
          name: 'wh',
          storageLocation,
          credentialsRef: `env:${INTEROP_S3_CREDENTIALS_REF}`,
          credentialVending: 'static',
          storage: storageOf(s3.s3),
        }
      : { name: 'wh', storageLocation };
    const wh = await platform.call('POST', '/api/v1/warehouses', { token: admin, body });
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
      storageLocation,
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
        removeRoot();
      },
    };
  } catch (err) {
    await platform.close();
    removeRoot();
    throw err;
  }
}

/**
 * Environment changes for a client that must find its S3 settings in the catalog's answers only: no AWS_* variable
 * of ours (keys, region, endpoint, profile), no shared config or credentials file, no instance metadata. The AWS SDKs
 * then have no credentials but the vended ones (tried by hand with credentialVending none: Spark's first INSERT fails).
 */
export function withoutAwsEnvironment(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) env[key] = undefined;
  const nowhere = path.join(tmpdir(), 'lakeplane-interop-no-aws-config');
  return { ...env, AWS_CONFIG_FILE: nowhere, AWS_SHARED_CREDENTIALS_FILE: nowhere, AWS_EC2_METADATA_DISABLED: 'true' };
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
 *
 * `env` entries override the inherited environment; an undefined one removes the variable.
 *
 * With `checkpoint`, the script may stop at checkpoints: it prints a line `{"checkpoint": NAME, ...}` and waits for a
 * line on stdin. The callback runs (to look at storage behind the client's back, say), then the script is answered
 * `go`, or `stop` when the callback threw: the run then fails with the callback's error.
 */
export async function runClientScript<T>(
  python: string,
  script: string,
  config: unknown,
  options: { env?: Record<string, string | undefined>; timeoutMs: number; checkpoint?: (name: string, data: Record<string, unknown>) => Promise<void> | void },
): Promise<ScriptRun<T>> {
  const started = Date.now();
  const env: Record<string, string | undefined> = { ...process.env, PYTHONUNBUFFERED: '1', ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(python, [script, JSON.stringify(config)], {
    env: env as NodeJS.ProcessEnv,
    stdio: [options.checkpoint ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let checkpointError: unknown;
  // Checkpoint lines are handled one at a time, in order.
  let checkpoints = Promise.resolve();
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (!options.checkpoint) return;
    pending += c;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.startsWith('{"checkpoint"'))) {
      checkpoints = checkpoints.then(async () => {
        let answer = 'go';
        try {
          const { checkpoint: name, ...data } = JSON.parse(line) as { checkpoint: string } & Record<string, unknown>;
          await options.checkpoint!(name, data);
        } catch (err) {
          checkpointError ??= err;
          answer = 'stop';
        }
        if (child.stdin?.writable) child.stdin.write(`${answer}\n`);
      });
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    if (verbose()) process.stderr.write(c);
  });
  child.stdin?.on('error', () => {}); // the script may be gone before it is answered
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  await checkpoints;
  child.stdin?.end();
  if (checkpointError) throw checkpointError;
  const durationMs = Date.now() - started;
  const last = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{') && !l.startsWith('{"checkpoint"'))
    .at(-1);
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
