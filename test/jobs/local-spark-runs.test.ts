import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINT, findIcebergSparkJar, findInteropPython, findSparkJava, startInteropCatalog, type InteropCatalog } from '../interop/interop.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { waitFor } from '../support/wait.js';

/**
 * Spark jobs end to end on the local runtime, with a real Spark (PySpark 3.5's spark-submit) and our catalog: a job
 * that writes an Iceberg table through the catalog reaches SUCCEEDED with its timeline and driver log; a failing job
 * is retried and ends FAILED; a long job is cancelled; a job past its timeout ends TIMED_OUT. Needs
 * scripts/install-interop.sh (CI runs it).
 */
const python = findInteropPython(['pyspark']);
const jar = findIcebergSparkJar();
const java = findSparkJava();
const missing = [python, jar, java].filter((f) => !f.ok).map((f) => (f.ok ? '' : f.why));
if (missing.length > 0) missingPrerequisite('the local Spark runtime tests', `${missing.join('; ')}; ${INSTALL_HINT}`);

const WRITER = `
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.sql("CREATE NAMESPACE IF NOT EXISTS lp.jobs_e2e")
spark.sql("CREATE TABLE lp.jobs_e2e.squares (n BIGINT, sq BIGINT) USING iceberg")
spark.range(1, int(sys.argv[1]) + 1).selectExpr("id AS n", "id * id AS sq").writeTo("lp.jobs_e2e.squares").append()
print("lakeplane-e2e rows written:", spark.table("lp.jobs_e2e.squares").count(), flush=True)
spark.stop()
`;
const FAILING = `
import sys
print("lakeplane-e2e about to fail", flush=True)
raise SystemExit(3)
`;
const SLEEPER = `
import time
print("lakeplane-e2e sleeping", flush=True)
time.sleep(600)
`;

describe.skipIf(missing.length > 0)('Spark jobs on the local runtime (real spark-submit, our Iceberg catalog)', () => {
  let catalog: InteropCatalog;
  let dir: string;
  let admin: string;
  const call = (method: string, url: string, body?: unknown) => catalog.platform.call(method, url, { token: admin, ...(body !== undefined ? { body } : {}) });
  const sparkSubmit = () => path.join(path.dirname(python.ok ? python.value : ''), 'spark-submit');

  async function job(name: string, file: string, extra: Record<string, unknown> = {}) {
    const r = await call('POST', '/api/v1/jobs', {
      name,
      type: 'python',
      mainApplicationFile: path.join(dir, file),
      driver: { memory: '512m' },
      executor: { memory: '512m' },
      ...extra,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string };
  }
  async function run(jobId: string) {
    const r = await call('POST', `/api/v1/jobs/${jobId}/runs`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; state: string };
  }
  const ended = (runId: string, timeoutMs = 240_000) =>
    waitFor(
      `run ${runId} to end`,
      async () => {
        const r = await call('GET', `/api/v1/runs/${runId}`);
        return ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].includes(r.body.state) ? r.body : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  const timeline = async (runId: string) =>
    (await call('GET', `/api/v1/runs/${runId}/timeline`)).body.items as Array<{
      state: string;
      attempt: number | null;
      appState: string | null;
      source: string;
      message: string | null;
    }>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-jobs-'));
    writeFileSync(path.join(dir, 'writer.py'), WRITER);
    writeFileSync(path.join(dir, 'failing.py'), FAILING);
    writeFileSync(path.join(dir, 'sleeper.py'), SLEEPER);
    catalog = await startInteropCatalog('pglite', {
      env: { LAKEPLANE_SPARK_SUBMIT: sparkSubmit(), LAKEPLANE_JOBS_SUPERVISE_MS: '300', LAKEPLANE_SPARK_MASTER: 'local[1]' },
    });
    admin = await catalog.platform.adminToken();
  }, 60_000);
  afterAll(async () => {
    await catalog?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a job that writes an Iceberg table through the catalog succeeds, with its timeline and driver log', async () => {
    const c = catalog.connection;
    const writer = await job('write-squares', 'writer.py', {
      arguments: ['20'],
      deps: { jars: [jar.ok ? jar.value : ''] },
      sparkConf: {
        'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
        'spark.sql.catalog.lp': 'org.apache.iceberg.spark.SparkCatalog',
        'spark.sql.catalog.lp.type': 'rest',
        'spark.sql.catalog.lp.uri': c.uri,
        'spark.sql.catalog.lp.warehouse': c.warehouse,
        'spark.sql.catalog.lp.credential': c.credential,
        'spark.sql.catalog.lp.oauth2-server-uri': c.oauth2ServerUri,
        'spark.sql.catalog.lp.scope': 'catalog',
        'spark.ui.enabled': 'false',
      },
    });
    const started = await run(writer.id);
    expect(started.state).toBe('QUEUED');
    const done = await ended(started.id);
    const log = await catalog.platform.call('GET', `/api/v1/runs/${started.id}/logs?tail=200`, { token: admin });
    expect(done.state, `${done.message}\n${log.body}`).toBe('SUCCEEDED');
    expect(done).toMatchObject({ jobVersion: 1, attempts: 1, trigger: 'manual', requestedBy: 'user:admin' });
    expect(done.durationMs).toBeGreaterThan(0);
    expect(done.attemptDetails).toMatchObject([{ attempt: 1, runtime: 'local', state: 'SUCCEEDED', appState: 'COMPLETED' }]);
    expect((await timeline(started.id)).map((e) => e.state)).toEqual(['QUEUED', 'SUBMITTED', 'RUNNING', 'SUCCEEDED']);
    expect(log.status).toBe(200);
    expect(log.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(log.body).toContain('lakeplane-e2e rows written: 20');
    // The table is in our catalog, with the job's snapshot.
    const token = await catalog.serviceToken();
    const loaded = await fetch(`${c.uri}/v1/wh/namespaces/jobs_e2e/tables/squares`, { headers: { authorization: `Bearer ${token}` } });
    expect(loaded.status).toBe(200);
    expect(((await loaded.json()) as { metadata: { snapshots: unknown[] } }).metadata.snapshots).toHaveLength(1);
  }, 300_000);

  it('a failing job is retried, then ends FAILED with the reason', async () => {
    const failing = await job('always-fails', 'failing.py', { retry: { maxAttempts: 2, backoffSeconds: 1 } });
    const started = await run(failing.id);
    const done = await ended(started.id);
    expect(done.state).toBe('FAILED');
    expect(done.attempts).toBe(2);
    expect(done.message).toMatch(/exited with code 3/);
    expect(done.attemptDetails.map((a: { state: string }) => a.state)).toEqual(['FAILED', 'FAILED']);
    const states = (await timeline(started.id)).map((e) => `${e.state}#${e.attempt}`);
    expect(states).toEqual(['QUEUED#1', 'SUBMITTED#1', 'RUNNING#1', 'QUEUED#1', 'QUEUED#2', 'SUBMITTED#2', 'RUNNING#2', 'FAILED#2']);
    const log = await catalog.platform.call('GET', `/api/v1/runs/${started.id}/logs?attempt=1`, { token: admin });
    expect(log.body).toContain('lakeplane-e2e about to fail');
  }, 300_000);

  it('a long job is cancelled: CANCELLED, and its process stopped', async () => {
    const sleeper = await job('sleeps-long', 'sleeper.py');
    const started = await run(sleeper.id);
    await waitFor('the sleeper to run', async () => (await call('GET', `/api/v1/runs/${started.id}`)).body.state === 'RUNNING', {
      timeoutMs: 120_000,
      intervalMs: 300,
    });
    const cancelled = await call('POST', `/api/v1/jobs/${sleeper.id}/runs/${started.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('CANCELLED');
    expect((await call('POST', `/api/v1/jobs/${sleeper.id}/runs/${started.id}/cancel`)).status).toBe(409);
    const done = await call('GET', `/api/v1/runs/${started.id}`);
    expect(done.body.attemptDetails[0]).toMatchObject({ state: 'CANCELLED' });
    expect((await timeline(started.id)).at(-1)).toMatchObject({ state: 'CANCELLED', source: 'api', message: 'cancelled by user:admin' });
    // The deletion the runtime reports afterwards changes nothing.
    await waitFor(
      'the runtime to report the deletion',
      async () => (await call('GET', `/api/v1/runs/${started.id}`)).body.attemptDetails[0].appState === 'DELETED',
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    expect((await call('GET', `/api/v1/runs/${started.id}`)).body.state).toBe('CANCELLED');
  }, 300_000);

  it('a job past its timeout ends TIMED_OUT', async () => {
    const slow = await job('times-out', 'sleeper.py', { timeoutSeconds: 8 });
    const started = await run(slow.id);
    const done = await ended(started.id, 120_000);
    expect(done.state).toBe('TIMED_OUT');
    expect(done.message).toMatch(/at its timeout/);
    expect((await timeline(started.id)).at(-1)).toMatchObject({ state: 'TIMED_OUT', source: 'supervisor' });
  }, 300_000);
});
