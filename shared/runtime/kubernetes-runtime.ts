import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import type { SparkApplication } from './spark-application.js';
import type { FollowOptions, SubmitResult, WorkloadRuntime } from './workload-runtime.js';

/** The Spark Operator's name for the driver pod's Spark container. */
const DRIVER_CONTAINER = 'spark-kubernetes-driver';
const FOLLOW_QUIET_MS = 5_000;

const APPS = 'apis/sparkoperator.k8s.io/v1beta2';

interface Answer {
  status: number;
  body: string;
}

/** The API server's own message (a Status object's), for a refusal that names the field. */
function messageOf(a: Answer): string {
  try {
    return (JSON.parse(a.body) as { message?: string }).message ?? a.body;
  } catch {
    return a.body;
  }
}

/**
 * The cluster runtime: one sparkoperator.k8s.io/v1beta2 SparkApplication per attempt in the jobs namespace; the Spark
 * Operator runs it, and the ApiServerSource reports its status. A create that finds the application already there
 * (409) is the retried submit it looks like; a delete of one already gone (404) is done; a refusal of the object itself
 * (400/422: the CRD's schema) fails the attempt with the API server's message.
 *
 * @kubernetes/client-node reads the kubeconfig (files, in-cluster service account, exec plugins) and signs each
 * request; the requests themselves go through one keep-alive agent, because the generated clients make a new agent
 * (a new TLS handshake) per call, which put a 100-submit burst at 0.6 s p99. The library is loaded on first use.
 */
export class KubernetesRuntime implements WorkloadRuntime {
  readonly name = 'kubernetes' as const;
  private config: Promise<import('@kubernetes/client-node').KubeConfig> | undefined;
  private agent: http.Agent | undefined;

  constructor(
    private readonly namespace: string,
    /** A kubeconfig file; undefined: the pod's service account (in cluster), else the default kubeconfig. */
    private readonly kubeconfig: string | undefined,
  ) {}

  ensureAvailable(): void {}

  private kubeConfig() {
    this.config ??= (async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      if (this.kubeconfig) kc.loadFromFile(this.kubeconfig);
      else kc.loadFromDefault();
      return kc;
    })();
    return this.config;
  }

  private async request(method: string, path: string, body?: unknown): Promise<Answer> {
    const kc = await this.kubeConfig();
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no current cluster');
    const server = new URL(cluster.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: https.RequestOptions = {
      method,
      hostname: server.hostname,
      port: server.port || 443,
      path: `${server.pathname.replace(/\/+$/, '')}/${path}`,
      headers: {
        accept: 'application/json',
        ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
      },
    };
    // Credentials (client certificate, or a bearer token read afresh) come from the kubeconfig on every request.
    await kc.applyToHTTPSOptions(options);
    // A plain-HTTP server (a local proxy such as kubectl proxy) is spoken to without TLS.
    const plain = server.protocol === 'http:';
    this.agent ??= plain
      ? new http.Agent({ keepAlive: true, maxSockets: 64 })
      : new https.Agent({
          keepAlive: true,
          maxSockets: 64,
          ca: options.ca,
          cert: options.cert,
          key: options.key,
          ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
        });
    options.agent = this.agent;
    return new Promise<Answer>((resolve, reject) => {
      const req = (plain ? http : https).request(options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer from the Kubernetes API in 30 s`)));
      req.end(payload);
    });
  }

  private failure(what: string, a: Answer): Error {
    return new Error(`${what}: the Kubernetes API answered ${a.status}: ${messageOf(a)}`);
  }

  async submit(app: SparkApplication): Promise<SubmitResult> {
    const a = await this.request('POST', `${APPS}/namespaces/${this.namespace}/sparkapplications`, {
      ...app,
      metadata: { ...app.metadata, namespace: this.namespace },
    });
    const logLocation = `pod/${this.namespace}/${app.metadata.name}-driver`;
    if (a.status === 201 || a.status === 200 || a.status === 409) return { logLocation };
    if (a.status === 400 || a.status === 422) return { rejected: `the Kubernetes API refused the SparkApplication: ${messageOf(a)}` };
    throw this.failure(`creating SparkApplication ${app.metadata.name}`, a);
  }

  async cancel(name: string): Promise<void> {
    const a = await this.request('DELETE', `${APPS}/namespaces/${this.namespace}/sparkapplications/${encodeURIComponent(name)}`);
    if (a.status >= 300 && a.status !== 404) throw this.failure(`deleting SparkApplication ${name}`, a);
  }

  /** The driver pod's log (the operator names it <app>-driver). */
  async logs(name: string, options: { tailLines: number }): Promise<string | undefined> {
    const a = await this.request('GET', `api/v1/namespaces/${this.namespace}/pods/${encodeURIComponent(`${name}-driver`)}/log?tailLines=${options.tailLines}`);
    if (a.status === 404) return undefined;
    if (a.status !== 200) throw this.failure(`reading the log of ${name}-driver`, a);
    return a.body;
  }

  supervises(): undefined {
    return undefined;
  }

  orphaned(): boolean {
    return false;
  }

  /**
   * The driver pod's log followed (GET …/pods/<app>-driver/log?follow=true&tailLines=N through the library's Log
   * client): the API server streams it until the container ends. A pod not there (404), or not started (400: the
   * container is waiting), has no log yet.
   */
  async followLogs(name: string, options: FollowOptions): Promise<AsyncIterable<Buffer> | undefined> {
    const kc = await this.kubeConfig();
    const { Log } = await import('@kubernetes/client-node');
    let quiet = 0;
    const out = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        quiet = 0;
        done(null, chunk);
      },
    });
    let controller: AbortController;
    try {
      controller = await new Log(kc).log(this.namespace, `${name}-driver`, DRIVER_CONTAINER, out, {
        follow: true,
        tailLines: options.tailLines,
        pretty: false,
        timestamps: false,
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 404 || code === 400) return undefined;
      throw new Error(`following the log of ${name}-driver: ${(err as Error).message}`, { cause: err });
    }
    const stop = () => {
      controller.abort();
      out.destroy();
    };
    // The library pipes the response into `out` and would leave it open if the connection broke mid-stream: a
    // log quiet for a while whose attempt has ended is over.
    const watchdog = setInterval(() => {
      if (++quiet < 2) return;
      void options.ended().then(
        (ended) => {
          if (ended && quiet >= 2) {
            controller.abort();
            out.end();
          }
        },
        () => undefined,
      );
    }, FOLLOW_QUIET_MS);
    watchdog.unref();
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
    const release = () => {
      clearInterval(watchdog);
      options.signal.removeEventListener('abort', stop);
    };
    out.once('close', release);
    out.once('end', release);
    return out;
  }

  async stop(): Promise<void> {
    this.agent?.destroy();
  }

  /** The same authenticated keep-alive requests, for objects beside SparkApplications (a lakehouse's Service). */
  apiRequest(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.request(method, path, body);
  }
}
