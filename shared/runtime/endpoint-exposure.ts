import { createServer } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Where a lakehouse's servers are reached: HiveServer2 (JDBC/ODBC), Spark Connect (gRPC) and the driver's Spark UI. */
export interface LakehouseEndpoints {
  hiveServer2: HostPort;
  sparkConnect: HostPort;
  ui: HostPort;
}

export interface EndpointPlan {
  /** The address the driver's servers bind. */
  bindHost: string;
  /** The ports they listen on, in the driver. */
  ports: { hiveServer2: number; sparkConnect: number; ui: number };
  /** How clients reach them. */
  endpoints: LakehouseEndpoints;
}

/**
 * How a lakehouse's servers are reached, the part of a runtime a long-running endpoint needs beyond a job: on this
 * machine free loopback ports; on Kubernetes the fixed ports of the driver behind a Service named for the lakehouse
 * (stable across restarts, so a JDBC URL keeps working).
 */
export interface EndpointExposure {
  plan(lakehouseName: string): Promise<EndpointPlan>;
  /** Makes the endpoints reachable; already there is success. */
  expose(lakehouseName: string, selector: Record<string, string>, plan: EndpointPlan): Promise<void>;
  /** Removes what expose made; already gone is success. */
  unexpose(lakehouseName: string): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Embedded mode: each start takes three free loopback ports; nothing stands in front of the driver. */
export class LocalEndpointExposure implements EndpointExposure {
  constructor(private readonly host = '127.0.0.1') {}

  async plan(): Promise<EndpointPlan> {
    const taken = new Set<number>();
    const take = async () => {
      for (;;) {
        const p = await freePort(this.host);
        if (!taken.has(p)) {
          taken.add(p);
          return p;
        }
      }
    };
    const ports = { hiveServer2: await take(), sparkConnect: await take(), ui: await take() };
    const at = (port: number) => ({ host: this.host, port });
    return { bindHost: this.host, ports, endpoints: { hiveServer2: at(ports.hiveServer2), sparkConnect: at(ports.sparkConnect), ui: at(ports.ui) } };
  }

  async expose(): Promise<void> {}

  async unexpose(): Promise<void> {}
}

export const LAKEHOUSE_PORTS = { hiveServer2: 10000, sparkConnect: 15002, ui: 4040 } as const;

/** The Service in front of a lakehouse's driver: `lakehouse-<name>` (at most 63 characters with a 53-character name). */
export function lakehouseServiceName(lakehouseName: string): string {
  return `lakehouse-${lakehouseName}`;
}

export interface KubernetesApi {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
}

/** Cluster mode: the driver listens on fixed ports on all its interfaces; a ClusterIP Service selects it by label. */
export class KubernetesEndpointExposure implements EndpointExposure {
  constructor(
    private readonly api: KubernetesApi,
    private readonly namespace: string,
    private readonly clusterDomain = 'cluster.local',
  ) {}

  async plan(lakehouseName: string): Promise<EndpointPlan> {
    const host = `${lakehouseServiceName(lakehouseName)}.${this.namespace}.svc.${this.clusterDomain}`;
    const at = (port: number) => ({ host, port });
    return {
      bindHost: '0.0.0.0',
      ports: { ...LAKEHOUSE_PORTS },
      endpoints: { hiveServer2: at(LAKEHOUSE_PORTS.hiveServer2), sparkConnect: at(LAKEHOUSE_PORTS.sparkConnect), ui: at(LAKEHOUSE_PORTS.ui) },
    };
  }

  async expose(lakehouseName: string, selector: Record<string, string>, plan: EndpointPlan): Promise<void> {
    const name = lakehouseServiceName(lakehouseName);
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'lakeplane', 'lakeplane.io/lakehouse': lakehouseName } },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'hiveserver2', port: plan.ports.hiveServer2, targetPort: plan.ports.hiveServer2, protocol: 'TCP' },
          { name: 'spark-connect', port: plan.ports.sparkConnect, targetPort: plan.ports.sparkConnect, protocol: 'TCP', appProtocol: 'grpc' },
          { name: 'spark-ui', port: plan.ports.ui, targetPort: plan.ports.ui, protocol: 'TCP' },
        ],
      },
    };
    const a = await this.api.request('POST', `api/v1/namespaces/${this.namespace}/services`, service);
    // 409: made by an earlier start; its selector names the lakehouse, not the workload, so it still fits.
    if (a.status >= 300 && a.status !== 409) throw new Error(`creating Service ${name}: the Kubernetes API answered ${a.status}: ${a.body.slice(0, 500)}`);
  }

  async unexpose(lakehouseName: string): Promise<void> {
    const name = lakehouseServiceName(lakehouseName);
    const a = await this.api.request('DELETE', `api/v1/namespaces/${this.namespace}/services/${name}`);
    if (a.status >= 300 && a.status !== 404) throw new Error(`deleting Service ${name}: the Kubernetes API answered ${a.status}: ${a.body.slice(0, 500)}`);
  }
}
