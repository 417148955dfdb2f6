import { randomBytes, randomUUID } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPARK, connect, forwardSparkApplicationEvents, installSparkApplicationCrd, sparkOperatorApi, type Kube } from '../support/kube.js';
import { startServicesDouble, type ServicesDouble } from '../support/kube-services-double.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * Lakehouses on the Kubernetes runtime: a lakehouse's workload is a SparkApplication (Spark's Thrift server with
 * Spark Connect) created on a real Kubernetes API server with the Spark Operator's CRD from ../shared/ref, which checks
 * it against the CRD's schema; its Service in front of the driver goes to a stand-in for core Services (that server
 * has none: test/support/kube-services-double.ts). The test plays the ApiServerSource (a watch forwarding every change
 * to /cloudevents/lakehouses) and the Spark Operator (it writes the status). Readiness is "workload" here: there is no
 * driver pod to probe.
 */
const api = sparkOperatorApi('the lakehouse Kubernetes runtime tests');

describe.skipIf(!api)('lakehouses on the Kubernetes runtime (a real API server with the SparkApplication CRD)', () => {
  const namespace = `lp-lh-${randomBytes(4).toString('hex')}`;
  let kube: Kube;
  let double: ServicesDouble;
  let p: TestPlatform;
  let admin: string;
  let stopWatch: (() => void) | undefined;
  const forwarded: string[] = [];
  const call = (method: string, url: string, body?: unknown) => p.call(method, url, { token: admin, ...(body !== undefined ? { body } : {}) });
  const get = (name: string) => kube.custom.getNamespacedCustomObject({ ...SPARK, namespace, name }) as Promise<any>;
  const lakehouseState = (id: string, state: string) =>
    waitFor(
      `lakehouse ${state} (events forwarded: ${forwarded.join('; ')})`,
      async () => {
        const l = (await call('GET', `/api/v1/lakehouses/${id}`)).body;
        return l.state === state ? l : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  beforeAll(async () => {
    kube = await connect(api!.kubeconfig);
    await installSparkApplicationCrd(kube, api!.crdFile);
    double = await startServicesDouble(api!.kubeconfig);
    p = await startPlatform('pglite', {
      env: {
        LAKEPLANE_JOBS_RUNTIME: 'kubernetes',
        LAKEPLANE_KUBECONFIG: double.kubeconfig,
        LAKEPLANE_JOBS_NAMESPACE: namespace,
        LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true',
        LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true',
        LAKEPLANE_LAKEHOUSE_READINESS: 'workload',
        LAKEPLANE_LAKEHOUSE_PLATFORM_URL: 'http://lakeplane-gateway.lakeplane.svc.cluster.local',
        LAKEPLANE_LAKEHOUSE_IMAGE: 'registry.example.com/lakeplane/spark:3.5.9',
      },
    });
    admin = await p.adminToken();
    expect((await call('POST', '/api/v1/warehouses', { name: 'sales', storageLocation: 's3://lake/sales' })).status).toBe(201);
    stopWatch = await forwardSparkApplicationEvents(kube, namespace, () => `${p.url}/cloudevents/lakehouses`, forwarded);
  }, 60_000);
  afterAll(async () => {
    stopWatch?.();
    await p?.close();
    await double?.close();
  });

  async function operatorSets(name: string, state: string, extra: Record<string, unknown> = {}) {
    const current = await get(name);
    return (await kube.custom
      .replaceNamespacedCustomObjectStatus({
        ...SPARK,
        namespace,
        name,
        body: { ...current, status: { driverInfo: {}, ...(current.status ?? {}), applicationState: { state }, ...extra } },
      })
      .catch((err: { body?: unknown }) => {
        throw new Error(`status write refused: ${String(err.body)}`);
      })) as any;
  }

  it("a start creates the SparkApplication the CRD accepts and the Service in front of it; the operator's status moves the lakehouse", async () => {
    const created = await call('POST', '/api/v1/lakehouses', {
      name: 'bi',
      driver: { cores: 2, memory: '4g' },
      executor: { cores: 2, memory: '8g' },
      executors: { min: 1, max: 6 },
      sparkConf: { 'spark.sql.shuffle.partitions': '64' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const started = await call('POST', `/api/v1/lakehouses/${id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.state).toBe('STARTING');
    const name = `lh-${id.replace(/-/g, '').slice(0, 8)}-1`;
    const app = await get(name);
    expect(app.metadata.labels).toMatchObject({
      'lakeplane.io/lakehouse-id': id,
      'lakeplane.io/lakehouse': 'bi',
      'lakeplane.io/generation': '1',
      'app.kubernetes.io/managed-by': 'lakeplane',
    });
    expect(app.spec).toMatchObject({
      type: 'Scala',
      mode: 'cluster',
      sparkVersion: '3.5.9',
      image: 'registry.example.com/lakeplane/spark:3.5.9',
      mainClass: 'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2',
      mainApplicationFile: 'local:///opt/spark/jars/spark-hive-thriftserver_2.12-3.5.9.jar',
      driver: { cores: 2, memory: '4g', serviceAccount: 'spark' },
      executor: { cores: 2, memory: '8g' },
      dynamicAllocation: { enabled: true, minExecutors: 1, maxExecutors: 6 },
      restartPolicy: { type: 'Never' },
    });
    expect(app.spec.arguments).toEqual(expect.arrayContaining(['--hiveconf', 'hive.server2.thrift.port=10000', 'hive.server2.authentication=CUSTOM']));
    expect(app.spec.sparkConf).toMatchObject({
      'spark.sql.shuffle.partitions': '64',
      'spark.plugins': 'org.apache.spark.sql.connect.SparkConnectPlugin',
      'spark.connect.grpc.binding.port': '15002',
      'spark.sql.catalog.sales': 'org.apache.iceberg.spark.SparkCatalog',
      'spark.sql.catalog.sales.type': 'rest',
      'spark.sql.catalog.sales.uri': 'http://lakeplane-gateway.lakeplane.svc.cluster.local/iceberg',
      'spark.sql.defaultCatalog': 'sales',
      'spark.sql.runSQLOnFiles': 'true',
    });
    const service = double.services.get(`${namespace}/lakehouse-bi`);
    expect(service.spec.selector).toEqual({ 'lakeplane.io/lakehouse-id': id, 'spark-role': 'driver' });
    expect(service.spec.ports.map((x: any) => [x.name, x.port])).toEqual([
      ['hiveserver2', 10000],
      ['spark-connect', 15002],
      ['spark-ui', 4040],
    ]);

    await operatorSets(name, 'SUBMITTED');
    expect((await call('GET', `/api/v1/lakehouses/${id}`)).body.state).toBe('STARTING');
    await operatorSets(name, 'RUNNING', { driverInfo: { webUIAddress: '10.0.0.7:4040', podName: `${name}-driver` } });
    const running = await lakehouseState(id, 'RUNNING');
    expect(running.endpoints).toEqual({
      hiveServer2: { host: `lakehouse-bi.${namespace}.svc.cluster.local`, port: 10000 },
      sparkConnect: { host: `lakehouse-bi.${namespace}.svc.cluster.local`, port: 15002 },
    });
    expect(running.sparkUiUrl).toBe('http://10.0.0.7:4040');
    expect((await call('GET', `/api/v1/lakehouses/${id}/connection`)).body.jdbcUrl).toBe(
      `jdbc:hive2://lakehouse-bi.${namespace}.svc.cluster.local:10000/default`,
    );

    // A stale status write is refused by the API server: resourceVersion conflicts are real.
    const stale = await kube.custom
      .replaceNamespacedCustomObjectStatus({ ...SPARK, namespace, name, body: { ...app, status: { applicationState: { state: 'FAILED' } } } })
      .catch((err: { code?: number }) => err.code);
    expect(stale).toBe(409);

    // Stop deletes the workload (and the Service); the deletion's report ends it STOPPED.
    expect((await call('POST', `/api/v1/lakehouses/${id}/stop`)).status).toBe(202);
    await lakehouseState(id, 'STOPPED');
    expect(await get(name).catch((err: { code?: number }) => err.code)).toBe(404);
    expect(double.services.has(`${namespace}/lakehouse-bi`)).toBe(false);

    // The next start is a new application; a driver the operator reports failed leaves the lakehouse FAILED, saying why.
    await call('POST', `/api/v1/lakehouses/${id}/start`);
    const second = `lh-${id.replace(/-/g, '').slice(0, 8)}-2`;
    await get(second);
    await operatorSets(second, 'RUNNING');
    await lakehouseState(id, 'RUNNING');
    await operatorSets(second, 'FAILED', {
      applicationState: { state: 'FAILED', errorMessage: 'driver container failed with ExitCode: 1, Reason: OOMKilled' },
    });
    const failed = await lakehouseState(id, 'FAILED');
    expect(failed.stateMessage).toMatch(/its Spark driver ended \(FAILED\): driver container failed with ExitCode: 1, Reason: OOMKilled/);

    // Delete: the failed application is removed, then the lakehouse.
    expect((await call('DELETE', `/api/v1/lakehouses/${id}`)).status).toBe(202);
    await waitFor('the lakehouse gone', async () => (await call('GET', `/api/v1/lakehouses/${id}`)).status === 404 || undefined, { timeoutMs: 20_000 });
    expect(await get(second).catch((err: { code?: number }) => err.code)).toBe(404);
    const states = (await call('GET', `/api/v1/lakehouses/${id}/activity`)).body.items.filter((a: any) => a.kind === 'state').map((a: any) => a.toState);
    expect(states).toEqual(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'STARTING', 'RUNNING', 'FAILED', 'DELETING']);
  }, 90_000);

  it('a status report of an earlier start, or an older one, changes nothing', async () => {
    const id = (await call('POST', '/api/v1/lakehouses', { name: 'ordered' })).body.id as string;
    await call('POST', `/api/v1/lakehouses/${id}/start`);
    const name = `lh-${id.replace(/-/g, '').slice(0, 8)}-1`;
    const app = await get(name);
    const running = await operatorSets(name, 'RUNNING');
    await lakehouseState(id, 'RUNNING');
    const send = async (obj: any, change = 'update') => {
      const message = HTTP.binary(
        new CloudEvent({ id: randomUUID(), type: `dev.knative.apiserver.resource.${change}`, source: 'https://kubernetes.test', data: obj }, false),
      );
      return (
        await fetch(`${p.url}/cloudevents/lakehouses`, { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string })
      ).status;
    };
    // The SUBMITTED-era object, delivered late (an older resourceVersion), claims FAILED: ignored.
    expect(await send({ ...app, status: { applicationState: { state: 'FAILED' } } })).toBe(200);
    // A report about generation 0 of this lakehouse: ignored.
    expect(
      await send(
        {
          ...running,
          metadata: {
            ...running.metadata,
            name: `lh-${id.replace(/-/g, '').slice(0, 8)}-0`,
            labels: { ...running.metadata.labels, 'lakeplane.io/generation': '0' },
            resourceVersion: '999999999',
          },
          status: { applicationState: { state: 'FAILED' } },
        },
        'delete',
      ),
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await call('GET', `/api/v1/lakehouses/${id}`)).body.state).toBe('RUNNING');
    await call('POST', `/api/v1/lakehouses/${id}/stop`);
    await lakehouseState(id, 'STOPPED');
  }, 60_000);
});
