import type { SparkApplication } from '../jobs/spark-application.js';
import type { SubmitResult, WorkloadRuntime } from './workload-runtime.js';

type K8s = typeof import('@kubernetes/client-node');

const GROUP = { group: 'sparkoperator.k8s.io', version: 'v1beta2', plural: 'sparkapplications' } as const;

/** The API server's answer code of a failed call (404, 409, 422...), if it was one. */
function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's own message (a Status object's message), for a refusal that names the field. */
function messageOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
    if (parsed?.message) return parsed.message;
  } catch {
    /* not JSON */
  }
  return (err as Error).message;
}

/**
 * The cluster runtime: one sparkoperator.k8s.io/v1beta2 SparkApplication per attempt, created in the jobs namespace
 * through @kubernetes/client-node; the Spark Operator runs it, and the ApiServerSource reports its status. A create
 * that finds the application already there (409) is the retried submit it looks like; a delete of one already gone
 * (404) is done. The client library is loaded on first use, so functions that never run jobs do not pay for it.
 */
export class KubernetesRuntime implements WorkloadRuntime {
  readonly name = 'kubernetes' as const;
  private clients: Promise<{ k8s: K8s; custom: import('@kubernetes/client-node').CustomObjectsApi; core: import('@kubernetes/client-node').CoreV1Api }> | undefined;

  constructor(
    private readonly namespace: string,
    /** A kubeconfig file; undefined: the pod's service account (in cluster), else the default kubeconfig. */
    private readonly kubeconfig: string | undefined,
  ) {}

  ensureAvailable(): void {}

  private api() {
    this.clients ??= (async () => {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      if (this.kubeconfig) kc.loadFromFile(this.kubeconfig);
      else kc.loadFromDefault();
      return { k8s, custom: kc.makeApiClient(k8s.CustomObjectsApi), core: kc.makeApiClient(k8s.CoreV1Api) };
    })();
    return this.clients;
  }

  async submit(app: SparkApplication): Promise<SubmitResult> {
    const { custom } = await this.api();
    const body = { ...app, metadata: { ...app.metadata, namespace: this.namespace } };
    try {
      await custom.createNamespacedCustomObject({ ...GROUP, namespace: this.namespace, body });
    } catch (err) {
      const status = statusOf(err);
      if (status === 409) return { logLocation: this.logLocation(app.metadata.name) };
      // The API server refused the object itself (the CRD's schema): no retry will change that.
      if (status === 400 || status === 422) return { rejected: `the Kubernetes API refused the SparkApplication: ${messageOf(err)}` };
      throw err;
    }
    return { logLocation: this.logLocation(app.metadata.name) };
  }

  async cancel(name: string): Promise<void> {
    const { custom } = await this.api();
    try {
      await custom.deleteNamespacedCustomObject({ ...GROUP, namespace: this.namespace, name });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  /** The driver pod's log (the operator names it <app>-driver). */
  async logs(name: string, options: { tailLines: number }): Promise<string | undefined> {
    const { core } = await this.api();
    try {
      return await core.readNamespacedPodLog({ name: `${name}-driver`, namespace: this.namespace, tailLines: options.tailLines });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async stop(): Promise<void> {}

  private logLocation(name: string): string {
    return `pod/${this.namespace}/${name}-driver`;
  }
}
