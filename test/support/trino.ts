/**
 * A real Trino server for the end-to-end policy tests: Trino 476 from scripts/install-trino.sh, one node on
 * loopback, configured by the test (catalogs, access control), started in the foreground and killed at the end.
 * Only the plugins the tests use are loaded (a plugin directory of links), which halves its start.
 * What it calls and accepts is recorded in ../shared/ref/trino/NOTES.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export type Found<T> = { ok: true; value: T } | { ok: false; why: string };

export interface TrinoInstall {
  home: string;
  javaHome: string;
}

export function findTrino(): Found<TrinoInstall> {
  const cache = process.env['LAKEPLANE_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'lakeplane');
  const home = process.env['LAKEPLANE_TRINO_HOME'] ?? path.join(cache, 'trino', 'trino-server-476');
  if (!existsSync(path.join(home, 'bin', 'launcher'))) return { ok: false, why: `no Trino server at ${home}` };
  const javaHome = process.env['LAKEPLANE_TRINO_JAVA_HOME'] ?? '/usr/lib/jvm/temurin-25-jdk-amd64';
  if (!existsSync(path.join(javaHome, 'bin', 'java')))
    return { ok: false, why: `no Java at ${javaHome} (Trino 476 needs 24 or newer; set LAKEPLANE_TRINO_JAVA_HOME)` };
  return { ok: true, value: { home, javaHome } };
}

export interface QueryAnswer {
  columns: string[];
  rows: unknown[][];
  /** Set when the query failed: Trino's message (e.g. "Access Denied: Cannot select from table …"). */
  error?: string;
}

export interface RunningTrino {
  readonly url: string;
  query(user: string, sql: string): Promise<QueryAnswer>;
  /** Recent output of the server, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface TrinoSetup {
  /** etc/catalog/<name>.properties */
  catalogs: Record<string, Record<string, string>>;
  /** etc/access-control.properties; `{etc}` in a value stands for the etc directory's path. */
  accessControl: Record<string, string>;
  /** Further files under etc/, by relative path; `{etc}` as above. */
  files?: Record<string, string>;
  plugins: string[];
}

/** What an access control adds to a setup: its plugin, etc/access-control.properties and its files. */
export type AccessControlSetup = Pick<TrinoSetup, 'accessControl' | 'files'> & { plugin: string };

/** A setup of catalogs and plugins, with an access control. */
export function withAccessControl(ac: AccessControlSetup, setup: Pick<TrinoSetup, 'catalogs' | 'plugins'>): TrinoSetup {
  return { catalogs: setup.catalogs, plugins: [...setup.plugins, ac.plugin], accessControl: ac.accessControl, files: ac.files };
}

/** How Trino's policy plugins prove who they are to Lakeplane: an admin service account's client credentials. */
export interface PolicyClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Trino's built-in Ranger access control with Lakeplane as the Ranger admin it polls (every second), service `trino`;
 * it sends the service account's client id and secret in HTTP Basic (Ranger's policy.rest.client.username/password).
 */
export function rangerAccessControl(lakeplane: string, credentials: PolicyClientCredentials): AccessControlSetup {
  return {
    plugin: 'ranger',
    accessControl: { 'access-control.name': 'ranger', 'ranger.service.name': 'trino', 'ranger.plugin.config.resource': '{etc}/ranger-trino-security.xml' },
    files: {
      'ranger-trino-security.xml': `<?xml version="1.0"?>
<configuration>
  <property><name>ranger.plugin.trino.policy.rest.url</name><value>${lakeplane}</value></property>
  <property><name>ranger.plugin.trino.policy.rest.client.username</name><value>${credentials.clientId}</value></property>
  <property><name>ranger.plugin.trino.policy.rest.client.password</name><value>${credentials.clientSecret}</value></property>
  <property><name>ranger.plugin.trino.policy.pollIntervalMs</name><value>1000</value></property>
  <property><name>ranger.plugin.trino.policy.cache.dir</name><value>{etc}/ranger-cache</value></property>
  <property><name>xasecure.audit.is.enabled</name><value>false</value></property>
</configuration>
`,
    },
  };
}

/**
 * Trino's OPA access control with Lakeplane's OPA data API as the policy server it asks on every query. Its HTTP
 * client sends no header it can be told to, but keeps the URIs' query: the client secret goes in access_token.
 */
export function opaAccessControl(lakeplane: string, credentials: PolicyClientCredentials): AccessControlSetup {
  const doc = (name: string) => `${lakeplane}/v1/data/trino/${name}?access_token=${encodeURIComponent(credentials.clientSecret)}`;
  return {
    plugin: 'opa',
    accessControl: {
      'access-control.name': 'opa',
      'opa.policy.uri': doc('allow'),
      'opa.policy.batched-uri': doc('batch'),
      'opa.policy.row-filters-uri': doc('rowFilters'),
      'opa.policy.batch-column-masking-uri': doc('batchColumnMasks'),
    },
  };
}

const properties = (p: Record<string, string>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';

export async function startTrino(install: TrinoInstall, setup: TrinoSetup, startTimeoutMs = 180_000): Promise<RunningTrino> {
  const root = mkdtempSync(path.join(tmpdir(), 'lakeplane-trino-'));
  const etc = path.join(root, 'etc');
  const plugins = path.join(root, 'plugin');
  mkdirSync(path.join(etc, 'catalog'), { recursive: true });
  mkdirSync(plugins);
  for (const p of setup.plugins) symlinkSync(path.join(install.home, 'plugin', p), path.join(plugins, p));
  const port = await freePort();
  writeFileSync(
    path.join(etc, 'node.properties'),
    properties({ 'node.environment': 'lakeplane_test', 'node.id': randomUUID(), 'node.data-dir': path.join(root, 'data') }),
  );
  writeFileSync(
    path.join(etc, 'jvm.config'),
    ['-server', '-Xmx2G', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError', '-Djdk.attach.allowAttachSelf=true', '-XX:TieredStopAtLevel=1'].join('\n') + '\n',
  );
  writeFileSync(
    path.join(etc, 'config.properties'),
    properties({
      coordinator: 'true',
      'node-scheduler.include-coordinator': 'true',
      'http-server.http.port': String(port),
      'discovery.uri': `http://127.0.0.1:${port}`,
      'node.internal-address': '127.0.0.1',
      'query.max-memory': '1GB',
      'plugin.dir': plugins,
    }),
  );
  for (const [name, props] of Object.entries(setup.catalogs)) writeFileSync(path.join(etc, 'catalog', `${name}.properties`), properties(props));
  const atEtc = (text: string) => text.replaceAll('{etc}', etc);
  writeFileSync(path.join(etc, 'access-control.properties'), atEtc(properties(setup.accessControl)));
  for (const [file, text] of Object.entries(setup.files ?? {})) writeFileSync(path.join(etc, file), atEtc(text));

  let output = '';
  const child: ChildProcess = spawn(
    path.join(install.home, 'bin', 'launcher'),
    ['run', `-etc-dir=${etc}`, `-data-dir=${path.join(root, 'data')}`, `-jvm-dir=${install.javaHome}`],
    {
      env: { ...process.env, JAVA_HOME: install.javaHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (!exited) {
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => (exited ? resolve() : child.once('exit', () => resolve())));
    }
    rmSync(root, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`Trino exited while starting:\n${output.slice(-4000)}`);
    }
    // /v1/info says starting: false once the server accepts queries.
    const info = await fetch(`http://127.0.0.1:${port}/v1/info`)
      .then((r) => (r.ok ? (r.json() as Promise<{ starting?: boolean }>) : undefined))
      .catch(() => undefined);
    if (info && info.starting === false) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Trino did not start in ${startTimeoutMs / 1000} s:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  /**
   * Runs a statement as a user. A fresh coordinator reports itself started before it has registered as a worker;
   * until then queries fail with NO_NODES_AVAILABLE, and are retried here for up to a minute.
   */
  async function query(user: string, sql: string): Promise<QueryAnswer> {
    const until = Date.now() + 60_000;
    for (;;) {
      const answer = await queryOnce(user, sql);
      if (!answer.error?.includes('No nodes available') || Date.now() > until) return answer;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async function queryOnce(user: string, sql: string): Promise<QueryAnswer> {
    let res = await fetch(`${url}/v1/statement`, { method: 'POST', headers: { 'X-Trino-User': user, 'content-type': 'text/plain' }, body: sql });
    const columns: string[] = [];
    const rows: unknown[][] = [];
    for (;;) {
      if (!res.ok) return { columns, rows, error: `HTTP ${res.status}: ${await res.text()}` };
      const body = (await res.json()) as { columns?: Array<{ name: string }>; data?: unknown[][]; nextUri?: string; error?: { message: string } };
      if (body.columns && columns.length === 0) columns.push(...body.columns.map((c) => c.name));
      if (body.data) rows.push(...body.data);
      if (body.error) return { columns, rows, error: body.error.message };
      if (!body.nextUri) return { columns, rows };
      res = await fetch(body.nextUri, { headers: { 'X-Trino-User': user } });
    }
  }

  return { url, query, log: () => output, stop };
}
