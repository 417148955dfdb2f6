import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { JobSpec, sparkApplication } from '../../shared/domains/jobs/index.js';
import { SPARK, connect, forwardSparkApplicationEvents, installSparkApplicationCrd, sparkOperatorApi, type Kube } from '../support/kube.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * The Kubernetes runtime against a real Kubernetes API server (scripts/start-kube-apiserver.sh) with the Spark
 * Operator's SparkApplication CRD from ../shared/ref. The test plays the two parts a cluster would: the
 * ApiServerSource (a watch on SparkApplications, each change forwarded to /cloudevents/jobs as a CloudEvent with the
 * object as data) and the Spark Operator (it writes the status subresource). That server has no Pods, so driver logs
 * are not tested here.
 */
const api = sparkOperatorApi('the Kubernetes runtime tests');

describe.skipIf(!api)('Spark jobs on the Kubernetes runtime (a real API server with the SparkApplication CRD)', () => {
  const namespace = `lp-test-${randomBytes(4).toString('hex')}`;
  let kube: Kube;
  let p: TestPlatform;
  let admin: string;
  let stopWatch: (() => void) | undefined;
  const forwarded: string[] = [];
  const call = (method: string, url: string, body?: unknown) => p.call(method, url, { token: admin, ...(body !== undefined ? { body } : {}) });
  const get = (name: string) => kube.custom.getNamespacedCustomObject({ ...SPARK, namespace, name }) as Promise<any>;

  beforeAll(async () => {
    kube = await connect(api!.kubeconfig);
    await installSparkApplicationCrd(kube, api!.crdFile);
    p = await startPlatform('pglite', {
      env: {
        LAKEPLANE_JOBS_RUNTIME: 'kubernetes',
        LAKEPLANE_KUBECONFIG: api!.kubeconfig,
        LAKEPLANE_JOBS_NAMESPACE: namespace,
        LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true',
        LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true',
        LAKEPLANE_SPARK_HISTORY_URL: 'https://spark-history.example.com/',
      },
    });
    admin = await p.adminToken();
    // The ApiServerSource's part (mode Resource): every change of a SparkApplication, the object as the data.
    stopWatch = await forwardSparkApplicationEvents(kube, namespace, () => `${p.url}/cloudevents/jobs`, forwarded);
  }, 60_000);
  afterAll(async () => {
    stopWatch?.();
    await p?.close();
  });

  async function operatorSets(name: string, state: string, extra: Record<string, unknown> = {}) {
    const current = await get(name);
    const updated = await kube.custom.replaceNamespacedCustomObjectStatus({
      ...SPARK,
      namespace,
      name,
      body: { ...current, status: { ...(current.status ?? {}), applicationState: { state }, ...extra } },
    });
    return updated as any;
  }
  const runState = (runId: string, state: string) =>
    waitFor(
      `run ${runId} ${state} (events forwarded: ${forwarded.join('; ')})`,
      async () => ((await call('GET', `/api/v1/runs/${runId}`)).body.state === state ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  it("a run creates its SparkApplication, and the operator's status moves the run to SUCCEEDED", async () => {
    const job = await call('POST', '/api/v1/jobs', {
      name: 'pi',
      type: 'python',
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
      arguments: ['10'],
      executor: { instances: 2 },
      sparkConf: { 'spark.ui.enabled': 'false' },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const run = await call('POST', `/api/v1/jobs/${job.body.id}/runs`, { overrides: { arguments: ['20'] } });
    expect(run.status).toBe(201);
    const name = `pi-${run.body.id.replace(/-/g, '').slice(0, 12)}-1`;
    const app = await waitFor('the SparkApplication', () => get(name).catch(() => undefined), { timeoutMs: 20_000, intervalMs: 100 });
    expect(app.metadata.labels).toMatchObject({
      'lakeplane.io/job-id': job.body.id,
      'lakeplane.io/run-id': run.body.id,
      'lakeplane.io/attempt': '1',
      'app.kubernetes.io/managed-by': 'lakeplane',
    });
    expect(app.spec).toMatchObject({
      type: 'Python',
      mode: 'cluster',
      sparkVersion: '3.5.7',
      arguments: ['20'],
      executor: { instances: 2 },
      restartPolicy: { type: 'Never' },
      driver: { serviceAccount: 'spark' },
    });
    await runState(run.body.id, 'SUBMITTED');

    const running = await operatorSets(name, 'RUNNING', { sparkApplicationId: 'spark-123', driverInfo: { webUIAddress: '10.0.0.5:4040' } });
    await runState(run.body.id, 'RUNNING');
    expect((await call('GET', `/api/v1/runs/${run.body.id}`)).body.links).toMatchObject({
      sparkUi: 'http://10.0.0.5:4040',
      sparkHistory: 'https://spark-history.example.com/history/spark-123/',
    });
    // A write based on what was there before the operator's last one is refused: resourceVersion conflicts are real.
    const stale = await kube.custom
      .replaceNamespacedCustomObjectStatus({ ...SPARK, namespace, name, body: { ...app, status: { applicationState: { state: 'FAILED' } } } })
      .catch((err: { code?: number }) => err.code);
    expect(stale).toBe(409);
    expect(Number(running.metadata.resourceVersion)).toBeGreaterThan(Number(app.metadata.resourceVersion));

    await operatorSets(name, 'COMPLETED');
    await runState(run.body.id, 'SUCCEEDED');
    const detail = (await call('GET', `/api/v1/runs/${run.body.id}`)).body;
    expect(detail.attemptDetails[0]).toMatchObject({ runtime: 'kubernetes', state: 'SUCCEEDED', appState: 'COMPLETED', sparkApplicationId: 'spark-123' });
    expect(detail.links).toEqual({
      logs: `/api/v1/runs/${run.body.id}/logs`,
      timeline: `/api/v1/runs/${run.body.id}/timeline`,
      sparkHistory: 'https://spark-history.example.com/history/spark-123/',
    });
    expect(((await call('GET', `/api/v1/runs/${run.body.id}/timeline`)).body.items as Array<{ state: string }>).map((e) => e.state)).toEqual([
      'QUEUED',
      'SUBMITTED',
      'RUNNING',
      'SUCCEEDED',
    ]);
    // No Pods on this server: the driver's log is not there.
    expect((await call('GET', `/api/v1/runs/${run.body.id}/logs`)).status).toBe(404);
  }, 60_000);

  it('a second submit of the same attempt makes no second application; a cancel deletes it', async () => {
    const job = await call('POST', '/api/v1/jobs', { name: 'sleeper', type: 'python', mainApplicationFile: 'local:///app/sleep.py' });
    const run = await call('POST', `/api/v1/jobs/${job.body.id}/runs`, {});
    const name = `sleeper-${run.body.id.replace(/-/g, '').slice(0, 12)}-1`;
    const first = await waitFor('the SparkApplication', () => get(name).catch(() => undefined), { timeoutMs: 20_000, intervalMs: 100 });
    const app = sparkApplication(
      (await p.running.platform.store.db.selectFrom('jobs').select('spec').where('id', '=', job.body.id).executeTakeFirstOrThrow()).spec as unknown as JobSpec,
      {},
      { jobId: job.body.id, runId: run.body.id, attempt: 1 },
      { namespace },
    );
    expect(await p.running.platform.runtime.submit(app)).toEqual({ logLocation: `pod/${namespace}/${name}-driver` });
    const list = (await kube.custom.listNamespacedCustomObject({ ...SPARK, namespace, labelSelector: `lakeplane.io/run-id=${run.body.id}` })) as {
      items: Array<{ metadata: { uid: string } }>;
    };
    expect(list.items.map((i) => i.metadata.uid)).toEqual([first.metadata.uid]);

    await runState(run.body.id, 'SUBMITTED');
    const cancelled = await call('POST', `/api/v1/jobs/${job.body.id}/runs/${run.body.id}/cancel`);
    expect(cancelled.body.state).toBe('CANCELLED');
    expect(await get(name).catch((err: { code?: number }) => err.code)).toBe(404);
    await waitFor('the deletion reported', () => forwarded.some((f) => f.startsWith(`delete ${name}`)) || undefined, { timeoutMs: 10_000, intervalMs: 100 });
    await waitFor(
      'the deletion applied',
      async () => ((await call('GET', `/api/v1/runs/${run.body.id}`)).body.attemptDetails[0].appState === 'DELETED' ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect((await call('GET', `/api/v1/runs/${run.body.id}`)).body.state).toBe('CANCELLED');
    // Cancelling what is gone is done already.
    await p.running.platform.runtime.cancel(name);
  }, 60_000);

  it("an application the CRD refuses fails the submit with the API server's message naming the field", async () => {
    const spec = Value.Default(JobSpec, { name: 'bad', type: 'python', mainApplicationFile: 'local:///x.py' }) as JobSpec;
    const base = sparkApplication(spec, {}, { jobId: randomUUID(), runId: randomUUID(), attempt: 1 }, { namespace });
    const bad = { ...base, spec: { ...base.spec, type: 'Ruby' as 'Python' } };
    const r = await p.running.platform.runtime.submit(bad);
    expect(r.rejected).toMatch(/spec\.type.*Unsupported value: "Ruby"/s);
  });
});
