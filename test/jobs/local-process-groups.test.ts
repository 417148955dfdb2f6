import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINT, findSparkJava, findInteropPython } from '../interop/interop.js';
import { spawnTsx, type TsxChild } from '../support/child.js';
import { createScratchDatabase } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { describeProcesses, processTable, running, type ProcessRow } from '../support/process-table.js';
import { waitFor } from '../support/wait.js';

/**
 * Nothing a local run starts outlives it. A PySpark job is spark-submit, a JVM, and the Python the JVM starts; the
 * runtime used to signal spark-submit alone, and a cancelled or timed-out job's Python went on with init as its
 * parent. Here a real PySpark job (PySpark 3.5's spark-submit, from scripts/install-interop.sh) is cancelled, another
 * times out, and a third is running when the server (bin/serve.ts, as `npm start` runs it) is stopped: each time the
 * process table is read, and no process of the run is left.
 */
const python = findInteropPython(['pyspark']);
const java = findSparkJava();
const missing = [python, java].filter((f) => !f.ok).map((f) => (f.ok ? '' : f.why));
if (missing.length > 0) missingPrerequisite('the local runtime process group tests', `${missing.join('; ')}; ${INSTALL_HINT}`);
if (process.platform !== 'linux') missingPrerequisite('the local runtime process group tests', 'they read the process table from /proc (Linux)');

const ADMIN_PASSWORD = 'process-groups-admin-password';
const SLEEPER = `
import time
print("lakeplane-e2e sleeping", flush=True)
time.sleep(600)
`;

/** What a run started: every process whose command line names its script, and every process of their groups. */
function processesOf(script: string, groups: ReadonlySet<number> = new Set()): ProcessRow[] {
  return running(processTable()).filter((p) => p.cmdline.includes(script) || groups.has(p.pgid));
}

describe.skipIf(missing.length > 0 || process.platform !== 'linux')('the local runtime ends every process a run started', () => {
  let dir: string;
  let server: TsxChild;
  let url: string;
  let token: string;
  let scratch: { url: string; drop(): Promise<void> } | undefined;

  async function call(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(url + pathname, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Starts a sleeping PySpark job and waits until its Python runs; answers the run and the groups its processes are in. */
  async function sleepingRun(name: string, extra: Record<string, unknown> = {}) {
    const script = path.join(dir, `${name}.py`);
    writeFileSync(script, SLEEPER);
    const job = await call('POST', '/api/v1/jobs', {
      name,
      type: 'python',
      mainApplicationFile: script,
      driver: { memory: '512m' },
      executor: { memory: '512m' },
      ...extra,
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const run = await call('POST', `/api/v1/jobs/${job.body.id}/runs`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    // The JVM and the Python it starts both name the script; the Python is the one that matters here.
    const started = await waitFor(
      `the Python of ${name} to run`,
      () => {
        const found = processesOf(script);
        return found.some((p) => /python/.test(p.cmdline.split(' ')[0] ?? '')) ? found : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    const groups = new Set(started.map((p) => p.pgid));
    // One group, led by the process the runtime started, and not the server's own.
    expect(groups.size, describeProcesses(started)).toBe(1);
    expect(groups.has(server.process.pid!)).toBe(false);
    return { jobId: job.body.id as string, runId: run.body.id as string, script, groups };
  }

  /** Waits until nothing of the run is left; a process that stays fails the test, named with its command line. */
  async function nothingLeftOf(run: { script: string; groups: ReadonlySet<number> }, what: string) {
    // The runtime gives a driver 10 s between SIGTERM and SIGKILL; a leftover stays forever, so this bound only ends the wait.
    await waitFor(what, () => processesOf(run.script, run.groups).length === 0, { timeoutMs: 60_000, intervalMs: 250 }).catch((err: Error) => {
      throw new Error(`${err.message}\nstill running:\n${describeProcesses(processesOf(run.script, run.groups))}`);
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-groups-'));
    scratch = process.env['DATABASE_URL'] ? await createScratchDatabase() : undefined;
    const sparkSubmit = path.join(path.dirname(python.ok ? python.value : ''), 'spark-submit');
    server = spawnTsx('bin/serve.ts', {
      LAKEPLANE_MODE: 'embedded',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: scratch?.url ?? '',
      LAKEPLANE_DATA_DIR: path.join(dir, 'data'),
      LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LAKEPLANE_LOG_LEVEL: 'info',
      LAKEPLANE_SPARK_SUBMIT: sparkSubmit,
      LAKEPLANE_SPARK_MASTER: 'local[1]',
      LAKEPLANE_JOBS_SUPERVISE_MS: '300',
      LAKEPLANE_SHUTDOWN_GRACE_SECONDS: '2',
    });
    url = (await server.message((m) => m['msg'] === 'lakeplane listening', 180_000))['url'] as string;
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { access_token: string }).access_token;
  }, 240_000);

  afterAll(async () => {
    if (server && server.process.exitCode === null && server.process.signalCode === null) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a cancelled run: spark-submit, its JVM and its Python all end', async () => {
    const run = await sleepingRun('cancelled-sleeper');
    const cancelled = await call('POST', `/api/v1/jobs/${run.jobId}/runs/${run.runId}/cancel`);
    expect(cancelled.status).toBe(200);
    await nothingLeftOf(run, 'every process of the cancelled run to end');
  }, 300_000);

  it('a run past its timeout: TIMED_OUT, and all its processes end', async () => {
    const run = await sleepingRun('timed-out-sleeper', { timeoutSeconds: 20 });
    await waitFor('the run to time out', async () => (await call('GET', `/api/v1/runs/${run.runId}`)).body.state === 'TIMED_OUT', {
      timeoutMs: 120_000,
      intervalMs: 300,
    });
    await nothingLeftOf(run, 'every process of the timed-out run to end');
  }, 300_000);

  it('the server stopping (SIGTERM) ends the runs it started, and exits 0', async () => {
    const run = await sleepingRun('sleeper-at-stop');
    server.process.kill('SIGTERM');
    const exit = await server.exited;
    expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
    // The server waited for the groups before it exited: what is left now stays.
    const left = processesOf(run.script, run.groups);
    expect(left, describeProcesses(left)).toEqual([]);
  }, 300_000);
});
