import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The real API server of scripts/start-kube-apiserver.sh serves CRDs but no core resources, and a lakehouse needs a
 * Service in front of its driver. This stands in front of it: core v1 Services in a namespace are served here, as the
 * API server serves them in what Lakeplane uses (201 with uid and resourceVersion, 409 AlreadyExists and 404 NotFound
 * as Status objects, 409 Conflict on a stale resourceVersion, list, delete); every other request goes to the real
 * server with the client certificate, streamed both ways (watches included). Its kubeconfig is the real one's with
 * this server's address.
 */
export interface ServicesDouble {
  kubeconfig: string;
  services: Map<string, any>;
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number, reason: string, message: string, details: Record<string, unknown> = {}) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }));
}

async function bodyOf(req: IncomingMessage): Promise<any> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : undefined;
}

export async function startServicesDouble(realKubeconfig: string): Promise<ServicesDouble> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(realKubeconfig);
  const real = new URL(kc.getCurrentCluster()!.server);
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-kube-double-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      path.join(dir, 'tls.key'),
      '-out',
      path.join(dir, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  const services = new Map<string, any>();
  let resourceVersion = 1_000_000;
  const SERVICES = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/services(?:\/([a-z0-9-]+))?$/;

  const server = https.createServer({ key: readFileSync(path.join(dir, 'tls.key')), cert: readFileSync(path.join(dir, 'tls.crt')) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://double');
    const m = SERVICES.exec(url.pathname);
    if (m) {
      void (async () => {
        const [, namespace, name] = m;
        const key = (n: string) => `${namespace}/${n}`;
        if (!name && req.method === 'POST') {
          const svc = await bodyOf(req);
          const n = svc?.metadata?.name;
          if (!n) return status(res, 422, 'Invalid', 'Service "" is invalid: metadata.name: Required value');
          if (services.has(key(n))) return status(res, 409, 'AlreadyExists', `services "${n}" already exists`, { name: n, kind: 'services' });
          const stored = {
            ...svc,
            metadata: {
              ...svc.metadata,
              namespace,
              uid: randomUUID(),
              resourceVersion: String(++resourceVersion),
              creationTimestamp: new Date().toISOString(),
            },
            spec: { ...svc.spec, clusterIP: `10.96.0.${services.size + 10}` },
          };
          services.set(key(n), stored);
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(stored));
        } else if (!name && req.method === 'GET') {
          const items = [...services.entries()].filter(([k]) => k.startsWith(`${namespace}/`)).map(([, v]) => v);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) }, items }));
        } else if (name && req.method === 'GET') {
          const svc = services.get(key(name));
          if (!svc) return status(res, 404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(svc));
        } else if (name && req.method === 'PUT') {
          const svc = await bodyOf(req);
          const current = services.get(key(name));
          if (!current) return status(res, 404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
          if (svc?.metadata?.resourceVersion !== current.metadata.resourceVersion)
            return status(
              res,
              409,
              'Conflict',
              `Operation cannot be fulfilled on services "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            );
          const stored = { ...svc, metadata: { ...svc.metadata, resourceVersion: String(++resourceVersion) } };
          services.set(key(name), stored);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stored));
        } else if (name && req.method === 'DELETE') {
          if (!services.delete(key(name))) return status(res, 404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'services' } }));
        } else status(res, 405, 'MethodNotAllowed', `${req.method} is not served here`);
      })().catch((err: unknown) => status(res, 500, 'InternalError', String(err)));
      return;
    }
    // Everything else: the real API server, as the client certificate's holder.
    void (async () => {
      const options: https.RequestOptions = {
        method: req.method,
        hostname: real.hostname,
        port: real.port,
        path: req.url,
        headers: { ...req.headers, host: real.host },
      };
      await kc.applyToHTTPSOptions(options);
      const upstream = https.request(options, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', (err) => (res.headersSent ? res.destroy(err) : status(res, 502, 'ServiceUnavailable', String(err))));
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const user = kc.getCurrentUser()!;
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: double, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: double, user: {client-certificate: "${user.certFile}", client-key: "${user.keyFile}"}}]`,
      'contexts: [{name: double, context: {cluster: double, user: double}}]',
      'current-context: double',
      '',
    ].join('\n'),
  );
  return {
    kubeconfig,
    services,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}
