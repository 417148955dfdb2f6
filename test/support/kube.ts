import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

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
  const options: https.RequestOptions = { method: 'POST', hostname: server.hostname, port: server.port, path: apiPath, headers: { 'content-type': 'application/json' } };
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
