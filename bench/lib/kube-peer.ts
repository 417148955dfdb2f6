import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse } from 'yaml';

/**
 * The bench's bare peer for submits: the same SparkApplication create, sent by the least a client can do (node's
 * https with one keep-alive agent, the kubeconfig's client certificate read once, the body serialized, the answer
 * read and dropped). What it measures is the floor the API server and etcd allow on this machine.
 */
export function bareCreator(kubeconfigFile: string, namespace: string): { create(app: object): Promise<number>; close(): void } {
  const kc = parse(readFileSync(kubeconfigFile, 'utf8')) as {
    clusters: Array<{ cluster: { server: string } }>;
    users: Array<{ user: { 'client-certificate': string; 'client-key': string } }>;
  };
  const server = new URL(kc.clusters[0]!.cluster.server);
  const user = kc.users[0]!.user;
  const agent = new https.Agent({
    keepAlive: true,
    cert: readFileSync(user['client-certificate']),
    key: readFileSync(user['client-key']),
    rejectUnauthorized: false,
  });
  const path = `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${namespace}/sparkapplications`;
  return {
    create: (app) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify(app);
        const req = https.request(
          {
            agent,
            method: 'POST',
            hostname: server.hostname,
            port: server.port,
            path,
            headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
