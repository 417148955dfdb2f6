import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionNames } from '../../functions/registry.js';
import { loadEventing, type EventingSetup } from './eventing-manifests.js';
import { freePort } from './local-ports.js';
import { LocalBroker } from './local-broker.js';
import { ManagedProcess, type ExitReport } from './managed-process.js';
import { PingSourceRunner } from './ping-source.js';
import { knativeService, type KnativeServiceSettings } from './service-manifests.js';

export interface LocalClusterOptions {
  /** PostgreSQL for every function (cluster mode has no PGlite). */
  readonly databaseUrl: string | undefined;
  /** The gateway's port, the one public address. Default 8080; 0 picks a free one. */
  readonly port?: number;
  /** Where the gateway listens. Default 127.0.0.1. */
  readonly host?: string;
  /** Logs, dead letters, the Broker token, and the local runtime's runs and secrets. Default ./.lakeplane-cluster. */
  readonly stateDir?: string;
  /** Set for every function after the launcher's own settings (a test's shorter retry delays, a log level). */
  readonly env?: Readonly<Record<string, string>>;
  /** Run the PingSources of eventing/ on their schedules. Default true. */
  readonly pingSources?: boolean;
  /** Start the gateway when functions/gateway exists. Default true. */
  readonly gateway?: boolean;
  /** The launcher's own one-line reports. Default: stderr. */
  readonly report?: (line: string) => void;
  /** Each line a function or the gateway writes (their JSON logs). Default: nowhere but the log files. */
  readonly output?: (name: string, line: string) => void;
  /** How long a stopped process may finish its requests before it is killed. Default 15 s. */
  readonly shutdownGraceMs?: number;
}

export interface LocalCluster {
  /** The gateway's URL, or undefined when this tree has no gateway. */
  readonly url: string | undefined;
  /** Each function's own loopback URL. */
  readonly functions: ReadonlyMap<string, string>;
  readonly broker: LocalBroker;
  readonly eventing: EventingSetup;
  readonly pingSources: readonly PingSourceRunner[];
  /** JSON lines, one per dead-lettered delivery. */
  readonly deadLetterFile: string;
  readonly logDir: string;
  /** A crash: SIGKILL to the function's whole process tree; it stays down until restart(). */
  kill(name: string): Promise<void>;
  /** Starts a function that was killed or crashed (or stops a running one first), on the same port. */
  restart(name: string): Promise<void>;
  /** Whether the function's process runs now. */
  isRunning(name: string): boolean;
  /** The pid of the function's process, while it runs. */
  pidOf(name: string): number | undefined;
  /** Every pid the cluster runs now, with everything they started. */
  processTree(): number[];
  /** Ends the PingSources, the gateway, every function and everything they started, then the Broker. */
  stop(): Promise<void>;
}

export class LocalClusterError extends Error {}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GATEWAY = 'gateway';
/** The ServiceAccount the functions run as (knative/serviceaccount.yaml): the subject of their Broker token. */
const FUNCTION_SERVICE_ACCOUNT = 'lakeplane';
const BROKER_TOKEN_TTL_SECONDS = 3600;

/** Migrations run once, before any function starts, as the cluster's lakeplane-migrate Job does. */
async function migrate(databaseUrl: string, logFile: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/migrate.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LAKEPLANE_MODE: 'embedded' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  writeFileSync(logFile, output);
  if (code !== 0) throw new LocalClusterError(`migrations failed (exit ${code}):\n${output.trim()}`);
}

/**
 * A Trigger's deliveries carry a token for its subscriber's audience from the Trigger's ServiceAccount; the Knative
 * Service accepts only the audiences and subjects its manifest lists. A mismatch would dead-letter every event of that
 * Trigger, so it stops the start instead, naming both files.
 */
function checkTriggersAgainstServices(eventing: EventingSetup, services: ReadonlyMap<string, KnativeServiceSettings & { url: string }>): void {
  const problems: string[] = [];
  // A Trigger's dead letters go to its deadLetterSink with the same sender identity: that Service must admit it too.
  const destinations = eventing.triggers.flatMap((trigger) => [
    { trigger, to: trigger.subscriber, what: 'subscriber' },
    ...(trigger.delivery?.deadLetterSink ? [{ trigger, to: trigger.delivery.deadLetterSink, what: 'dead-letter sink' }] : []),
  ]);
  for (const { trigger, to, what } of destinations) {
    const service = [...services.entries()].find(([, s]) => to.url.startsWith(`${s.url}/`) || to.url === s.url);
    if (!service) continue;
    const [name, settings] = service;
    if (!settings.ingestAudiences) continue;
    if (!to.audience) problems.push(`${trigger.file}: Trigger ${trigger.name} gives its ${what} ${name} no audience`);
    else if (!settings.ingestAudiences.includes(to.audience))
      problems.push(
        `${trigger.file}: Trigger ${trigger.name}'s ${what} audience ${to.audience} is not among ${settings.file}'s LAKEPLANE_INGEST_OIDC_AUDIENCES`,
      );
    if (!settings.ingestSubjects?.some((s) => (s.endsWith('*') ? trigger.subject.startsWith(s.slice(0, -1)) : s === trigger.subject)))
      problems.push(
        `${trigger.file}: Trigger ${trigger.name}'s sender ${trigger.subject} (to its ${what}) is not among ${settings.file}'s LAKEPLANE_INGEST_OIDC_SUBJECTS`,
      );
  }
  if (problems.length > 0) throw new LocalClusterError(`the Triggers do not fit the Services:\n  ${problems.join('\n  ')}`);
}

/**
 * `npm run start:cluster`: the platform as separate services on one machine, as close to Knative as it goes without
 * Kubernetes: one process per function (LAKEPLANE_MODE=cluster, FUNCTION_TARGET=<name>) on its own loopback port,
 * on PostgreSQL migrated once beforehand; the Broker and PingSources of eventing/ (LocalBroker, PingSourceRunner)
 * with Knative's sender identity; the gateway in front when this tree has one. Jobs and lakehouses use the local
 * runtime (LAKEPLANE_JOBS_RUNTIME=local).
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const databaseUrl = options.databaseUrl;
  if (!databaseUrl) throw new LocalClusterError('DATABASE_URL is required: the local cluster runs every function on PostgreSQL (postgres://…)');
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stateDir = path.resolve(options.stateDir ?? '.lakeplane-cluster');
  const logDir = path.join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const deadLetterFile = path.join(stateDir, 'dead-letters.jsonl');
  const brokerTokenFile = path.join(stateDir, 'broker-token');
  const graceMs = options.shutdownGraceMs ?? 15_000;

  await migrate(databaseUrl, path.join(logDir, 'migrate.log'));

  const withGateway = (options.gateway ?? true) && existsSync(path.join(ROOT, 'functions', GATEWAY, 'index.ts'));
  const host = options.host ?? '127.0.0.1';
  let gatewayPort: number | undefined;
  if (withGateway) gatewayPort = options.port === 0 ? await freePort(host) : (options.port ?? 8080);
  const publicUrl = gatewayPort !== undefined ? `http://localhost:${gatewayPort}` : undefined;

  const services = new Map<string, KnativeServiceSettings & { url: string; port: number }>();
  for (const name of functionNames) {
    const port = await freePort();
    services.set(name, { ...knativeService(ROOT, name), url: `http://127.0.0.1:${port}`, port });
  }

  let eventing: EventingSetup | undefined;
  const broker = await LocalBroker.start(await freePort(), {
    eventing: () => eventing!,
    deadLetterFile,
    report,
  });
  const processes = new Map<string, ManagedProcess>();
  const runners: PingSourceRunner[] = [];
  let tokenTimer: NodeJS.Timeout | undefined;
  const stopAll = async () => {
    for (const r of runners) r.stop();
    if (tokenTimer) clearInterval(tokenTimer);
    const gateway = processes.get(GATEWAY);
    if (gateway) await gateway.stop(graceMs);
    await Promise.all([...processes.values()].filter((p) => p !== gateway).map((p) => p.stop(graceMs)));
    await broker.stop();
  };

  try {
    eventing = loadEventing(
      path.join(ROOT, 'eventing'),
      (namespace, name) => {
        const service = services.get(name);
        return service && service.namespace === namespace ? service.url : undefined;
      },
      (namespace, name) => broker.ingressUrl(namespace, name),
    );
    checkTriggersAgainstServices(eventing, services);
    const [mainBroker] = eventing.brokers;
    if (!mainBroker) throw new LocalClusterError('eventing/ defines no Broker');

    // The functions' sender identity at the Broker's ingress: a projected token in the cluster, rotated in place.
    const writeBrokerToken = async () =>
      writeFileSync(
        brokerTokenFile,
        await broker.issuer.mint(`system:serviceaccount:${mainBroker.namespace}:${FUNCTION_SERVICE_ACCOUNT}`, mainBroker.audience, BROKER_TOKEN_TTL_SECONDS),
        {
          mode: 0o600,
        },
      );
    await writeBrokerToken();
    tokenTimer = setInterval(() => void writeBrokerToken(), (BROKER_TOKEN_TTL_SECONDS * 1000) / 3);
    tokenTimer.unref();

    const inherited = { ...process.env } as Record<string, string>;
    // What would point a function elsewhere than this layout is not passed on.
    for (const key of ['K_SINK', 'FUNCTION_TARGET', 'LAKEPLANE_INGEST_OIDC_TOKEN_FILE', 'LAKEPLANE_INGEST_ALLOW_ANONYMOUS', 'LAKEPLANE_INGEST_CLUSTER_LOCAL'])
      delete inherited[key];
    const common: Record<string, string> = {
      ...inherited,
      LAKEPLANE_MODE: 'cluster',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      LAKEPLANE_MIGRATE_ON_START: 'false',
      LAKEPLANE_BROKER_URL: broker.ingressUrl(mainBroker.namespace, mainBroker.name),
      LAKEPLANE_BROKER_TOKEN_FILE: brokerTokenFile,
      // Tokens minted by iam must verify in every function: one issuer for all, the public address.
      LAKEPLANE_ISSUER: process.env['LAKEPLANE_ISSUER'] ?? publicUrl ?? services.get('iam')!.url,
      LAKEPLANE_DATA_DIR: process.env['LAKEPLANE_DATA_DIR'] ?? path.join(stateDir, 'data'),
      // Jobs and lakehouses run on this machine: spark-submit, not the Spark Operator.
      LAKEPLANE_JOBS_RUNTIME: 'local',
      // Lakehouse drivers reach the platform through the gateway, by address (localhost may resolve to ::1 first).
      ...(gatewayPort !== undefined
        ? { LAKEPLANE_LAKEHOUSE_PLATFORM_URL: process.env['LAKEPLANE_LAKEHOUSE_PLATFORM_URL'] ?? `http://127.0.0.1:${gatewayPort}` }
        : {}),
      ...(withGateway ? { LAKEPLANE_TRUSTED_PROXIES: process.env['LAKEPLANE_TRUSTED_PROXIES'] ?? '127.0.0.1' } : {}),
    };
    const onExit = (exit: ExitReport) =>
      report(
        `local cluster: ${exit.name} exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}); the others keep running; log: ${path.join(logDir, `${exit.name}.log`)}`,
      );
    const output = options.output;
    // Ready when its readiness probe answers 200, as Knative's readinessProbe (/readyz) asks.
    const spawnSpec = (name: string, env: Record<string, string>, port: number) =>
      new ManagedProcess(
        {
          name,
          command: process.execPath,
          args: ['--import', 'tsx', path.join(ROOT, 'bin/serve.ts')],
          cwd: ROOT,
          env: { ...env, PORT: String(port), FUNCTION_TARGET: name },
          logFile: path.join(logDir, `${name}.log`),
          readyUrl: `http://127.0.0.1:${port}/readyz`,
        },
        onExit,
        output ? (line) => output(name, line) : undefined,
      );

    for (const [name, service] of services) {
      const env: Record<string, string> = { ...common };
      if (service.ingestAudiences && service.ingestSubjects) {
        // The Service's own audiences and Trigger subjects, from its manifest; the issuer is the local one.
        env['LAKEPLANE_INGEST_OIDC_ISSUER'] = broker.issuer.issuer;
        env['LAKEPLANE_INGEST_OIDC_JWKS_URL'] = broker.issuer.jwksUrl;
        env['LAKEPLANE_INGEST_OIDC_AUDIENCES'] = service.ingestAudiences.join(',');
        env['LAKEPLANE_INGEST_OIDC_SUBJECTS'] = service.ingestSubjects.join(',');
      }
      Object.assign(env, options.env ?? {});
      processes.set(name, spawnSpec(name, env, service.port));
    }
    report(`local cluster: starting ${functionNames.length} functions (logs in ${logDir})`);
    await Promise.all([...processes.values()].map((p) => p.start()));

    if (withGateway) {
      const upstreams = Object.fromEntries([...services].map(([name, s]) => [name, s.url]));
      const env = { ...common, ...(options.env ?? {}), HOST: host, LAKEPLANE_GATEWAY_UPSTREAMS: JSON.stringify(upstreams) };
      const gateway = spawnSpec(GATEWAY, env, gatewayPort!);
      processes.set(GATEWAY, gateway);
      await gateway.start();
    } else if (options.gateway ?? true) {
      report('local cluster: no gateway in this tree (functions/gateway is missing); each function answers on its own port');
    }

    if (options.pingSources ?? true) {
      for (const spec of eventing.pingSources) {
        const runner = new PingSourceRunner(spec, broker.issuer, report);
        runner.start();
        runners.push(runner);
      }
    }
    for (const line of eventing.notRun) report(`local cluster: not run here: ${line}`);
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }

  const functionUrls = new Map([...services].map(([name, s]) => [name, s.url]));
  const managed = (name: string) => {
    const p = processes.get(name);
    if (!p) throw new LocalClusterError(`${name} is not a process of this cluster; choose one of ${[...processes.keys()].join(', ')}`);
    return p;
  };
  return {
    url: publicUrl,
    functions: functionUrls,
    broker,
    eventing: eventing,
    pingSources: runners,
    deadLetterFile,
    logDir,
    async kill(name) {
      await managed(name).kill();
    },
    async restart(name) {
      const p = managed(name);
      if (p.running) await p.stop(graceMs);
      await p.start();
    },
    isRunning: (name) => managed(name).running,
    pidOf: (name) => managed(name).pid,
    processTree: () => [...processes.values()].flatMap((p) => p.tree()),
    stop: stopAll,
  };
}
