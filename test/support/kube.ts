import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { missingPrerequisite } from './prerequisites.js';

/**
 * The real Kubernetes API server of scripts/start-kube-apiserver.sh (apiextensions-apiserver on etcd): its
 * kubeconfig from LAKEPLANE_KUBECONFIG, and the SparkApplication CRD from ../shared/ref installed on it.
 */
export type Found<T> = { ok: true; value: T } | { ok: false; why: string };

export const SPARK = { group: 'sparkoperator.k8s.io', version: 'v1beta2', plural: 'sparkapplications' } as const;

export function findKubeconfig(): Found<string> {
  const file = process.env['LAKEPLANE_KUBECONFIG'];
  if (!file) return { ok: false, why: 'LAKEPLANE_KUBECONFIG is not set (eval "$(scripts/start-kube-apiserver.sh)"; CI does)' };
  if (!existsSync(file)) return { ok: false, why: `LAKEPLANE_KUBECONFIG=${file} does not exist` };
  return { ok: true, value: file };
}

export function sparkApplicationCrdFile(): Found<string> {
  const ref = path.resolve(import.meta.dirname, '../..', process.env['LAKEPLANE_SHARED_REF'] ?? '../shared/ref');
  const file = path.join(ref, 'spark-operator', 'sparkoperator.k8s.io_sparkapplications.yaml');
  return existsSync(file) ? { ok: true, value: file } : { ok: false, why: `no ${file} (set LAKEPLANE_SHARED_REF)` };
}

/**
 * What a Spark Operator suite needs: a Kubernetes API server's kubeconfig and the SparkApplication CRD. Undefined
 * after saying loudly what is skipped (a failure under LAKEPLANE_REQUIRE_ALL=1).
 */
export function sparkOperatorApi(what: string): { kubeconfig: string; crdFile: string } | undefined {
  const kubeconfig = findKubeconfig();
  const crd = sparkApplicationCrdFile();
  if (kubeconfig.ok && crd.ok) return { kubeconfig: kubeconfig.value, crdFile: crd.value };
  missingPrerequisite(what, [kubeconfig, crd].flatMap((f) => (f.ok ? [] : [f.why])).join('; '));
  return undefined;
}

export interface Kube {
  kc: KubeConfig;
  custom: CustomObjectsApi;
  k8s: typeof import('@kubernetes/client-node');
}

export async function connect(kubeconfig: string): Promise<Kube> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, custom: kc.makeApiClient(k8s.CustomObjectsApi), k8s };
}

/** POSTs a JSON body as is (the typed clients drop schema keywords such as x-kubernetes-int-or-string). */
async function postRaw(kube: Kube, apiPath: string, body: unknown): Promise<number> {
  const server = new URL(kube.kc.getCurrentCluster()!.server);
  const options: https.RequestOptions = {
    method: 'POST',
    hostname: server.hostname,
    port: server.port,
    path: apiPath,
    headers: { 'content-type': 'application/json' },
  };
  await kube.kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = https.request(options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Installs the CRD (an existing one is kept) and waits until its group serves SparkApplications. */
export async function installSparkApplicationCrd(kube: Kube, crdFile: string): Promise<void> {
  const crd = parse(readFileSync(crdFile, 'utf8')) as unknown;
  const status = await postRaw(kube, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  if (status !== 201 && status !== 409) throw new Error(`installing the SparkApplication CRD: HTTP ${status}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await kube.custom.listNamespacedCustomObject({ ...SPARK, namespace: 'default' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * The ApiServerSource's part in a test (mode Resource): a watch on a namespace's SparkApplications, every change
 * POSTed to `target` (a function's /cloudevents/<name>) as a binary CloudEvent with the object as its data. Like the
 * source, it watches again when the server ends a watch. `seen` collects a line per change and per refusal.
 */
export async function forwardSparkApplicationEvents(kube: Kube, namespace: string, target: () => string, seen: string[]): Promise<() => void> {
  const { CloudEvent, HTTP } = await import('cloudevents');
  const { randomUUID } = await import('node:crypto');
  const watch = new kube.k8s.Watch(kube.kc);
  const kinds: Record<string, string> = { ADDED: 'add', MODIFIED: 'update', DELETED: 'delete' };
  let stopped = false;
  let current: AbortController | undefined;
  const start = async (): Promise<void> => {
    if (stopped) return;
    current = await watch.watch(
      `/apis/${SPARK.group}/${SPARK.version}/namespaces/${namespace}/${SPARK.plural}`,
      {},
      (type, obj: any) => {
        const change = kinds[type];
        if (!change) return;
        const message = HTTP.binary(
          new CloudEvent(
            { id: randomUUID(), type: `dev.knative.apiserver.resource.${change}`, source: 'https://kubernetes.test', subject: obj.metadata.name, data: obj },
            false,
          ),
        );
        seen.push(`${change} ${obj.metadata.name} ${obj.status?.applicationState?.state ?? ''}`);
        void fetch(target(), { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string }).then(async (r) => {
          if (r.status !== 200) seen.push(`refused ${r.status} ${await r.text()}`);
        });
      },
      (err: unknown) => {
        if (err) seen.push(`watch ended: ${String(err)}`);
        setTimeout(() => void start(), 200);
      },
    );
  };
  await start();
  return () => {
    stopped = true;
    current?.abort();
  };
}
