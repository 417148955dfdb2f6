import {
  AccessTokens,
  Authenticator,
  ExternalIssuers,
  postgresIdentityStore,
  postgresSigningKeyStore,
  postgresThrottleStore,
  postgresTokenStore,
  SigningKeyRing,
} from '../auth/index.js';
import { AuditTrail, postgresAuditStore } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { checkAppliedMigrations, migrateToLatest, openMetadataStore } from '../db/index.js';
import { Dispatcher, EventConsumerSet, HttpTransport, InProcessTransport, Outbox, type EventTransport } from '../events/index.js';
import { ContextTable, postgresIdempotencyKeyStore, type LakeplaneFunction } from '../http/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { PlatformMetrics } from '../metrics/index.js';
import {
  ControlPolicyAuthorizer,
  DataPolicyCache,
  DecisionLog,
  PolicyAuthorizer,
  postgresControlPolicyStore,
  postgresDecisionRecordStore,
  postgresObjectTagStore,
} from '../policy/index.js';
import { createEndpointExposure, createRuntime, ResourceEvents, type SparkApplication } from '../runtime/index.js';
import type { Platform } from './platform.js';
import { consumersOf } from './platform-consumers.js';

export interface RunningPlatform {
  readonly platform: Platform;
  /** Consumers of each function served here, by function name. */
  readonly consumers: ReadonlyMap<string, EventConsumerSet>;
  /** `forceStoreAfterMs`: database connections still held by then are ended (see MetadataStore.close). */
  stop(options?: { forceStoreAfterMs?: number }): Promise<void>;
}

/**
 * The one place where embedded and cluster mode differ: which database driver, which event transport. Everything
 * above this sees the same Platform.
 */
export async function createPlatform(config: Config, functions: readonly LakeplaneFunction[], logger?: Logger): Promise<RunningPlatform> {
  const log = logger ?? createLogger(config.LAKEPLANE_LOG_LEVEL, { mode: config.LAKEPLANE_MODE, target: config.FUNCTION_TARGET ?? 'all' });
  const metrics = new PlatformMetrics();
  const store = await openMetadataStore({
    databaseUrl: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    dataDir: config.LAKEPLANE_DATA_DIR,
    onConnectionError: (err) =>
      log.warn({ err: { message: err.message, code: (err as { code?: unknown }).code } }, 'metadata store connection lost; the pool reconnects on next use'),
  });
  if (config.LAKEPLANE_MIGRATE_ON_START) {
    const result = await migrateToLatest(store.db);
    for (const r of result.results ?? []) log.info({ migration: r.migrationName, status: r.status }, 'migration applied');
  } else {
    // The migration Job applies them; a function still refuses a database whose applied migrations were edited.
    await checkAppliedMigrations(store.db, { record: false });
  }
  const db = store.db;

  let inProcessTransport: InProcessTransport | undefined;
  let transport: EventTransport;
  const sink = config.K_SINK ?? config.LAKEPLANE_BROKER_URL;
  if (config.LAKEPLANE_MODE === 'embedded' && !sink) {
    inProcessTransport = new InProcessTransport();
    transport = inProcessTransport;
  } else if (sink) {
    transport = new HttpTransport(sink, undefined, config.LAKEPLANE_BROKER_TOKEN_FILE);
  } else {
    throw new Error('cluster mode needs an event sink: set K_SINK (SinkBinding) or LAKEPLANE_BROKER_URL');
  }

  const source = `/lakeplane/${config.FUNCTION_TARGET ?? 'embedded'}`;
  // Publishing happens inside a transaction; the nudge waits a moment so the commit is visible when the dispatcher
  // looks. The dispatcher is made next; the outbox calls it only once requests run.
  const outbox = new Outbox(source, metrics, () => dispatcher.nudge(25));
  const dispatcher = new Dispatcher(db, transport, metrics, log.child({ component: 'dispatcher' }), {
    maxAttempts: config.LAKEPLANE_EVENT_MAX_ATTEMPTS,
    retryBaseMs: config.LAKEPLANE_EVENT_RETRY_BASE_MS,
    pollMs: config.LAKEPLANE_EVENT_POLL_MS,
  });

  const identityStore = postgresIdentityStore(db);
  const tokenStore = postgresTokenStore(db);
  const keys = new SigningKeyRing(postgresSigningKeyStore(db), config.LAKEPLANE_ACCESS_TOKEN_TTL_SECONDS);
  const accessTokens = new AccessTokens(keys, config.issuer, config.LAKEPLANE_ACCESS_TOKEN_TTL_SECONDS);
  const externalIssuers = new ExternalIssuers(identityStore);
  const authenticator = new Authenticator(
    identityStore,
    tokenStore,
    accessTokens,
    externalIssuers,
    outbox,
    config.issuer,
    config.LAKEPLANE_AUTH_CACHE_TTL_MS,
    log.child({ component: 'auth' }),
  );

  const dataPolicies = new DataPolicyCache(db, config.LAKEPLANE_POLICY_REFRESH_MS);
  const decisionLog = new DecisionLog(postgresDecisionRecordStore(db), log.child({ component: 'decision-log' }));
  const controlPolicies = new ControlPolicyAuthorizer(postgresControlPolicyStore(db), config.LAKEPLANE_POLICY_REFRESH_MS, decisionLog);
  const objectTags = postgresObjectTagStore(db);
  // The local runtime reports status as the ApiServerSource does, through the outbox like every event.
  const runtime = createRuntime(config, log.child({ component: 'runtime' }), async (change, app: SparkApplication) => {
    await db.transaction().execute((tx) =>
      outbox.publish(tx, {
        type: ResourceEvents[change],
        subject: `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${app.metadata.namespace}/sparkapplications/${app.metadata.name}`,
        data: app,
      }),
    );
  });
  const contexts = new ContextTable(() => platform);
  const platform: Platform = {
    contextOf: (context) => contexts.contextOf(context),
    config,
    logger: log,
    metrics,
    store,
    identityStore,
    tokenStore,
    throttleStore: postgresThrottleStore(db),
    keys,
    accessTokens,
    externalIssuers,
    authenticator,
    authorizer: new PolicyAuthorizer(objectTags, dataPolicies, controlPolicies, decisionLog),
    decisionLog,
    dataPolicies,
    objectTags,
    controlPolicies,
    audit: new AuditTrail(postgresAuditStore(db), log),
    idempotencyKeys: postgresIdempotencyKeyStore(db),
    outbox,
    dispatcher,
    transport,
    inProcessTransport,
    runtime,
    endpoints: createEndpointExposure(config, runtime),
    serving: { url: undefined },
    startedAt: new Date(),
  };

  // Each served function's own state is made before anything can ask for it (its consumers, workers, routes).
  for (const fn of functions) if (fn.context) contexts.contextOf(fn.context);

  const consumers = new Map<string, EventConsumerSet>();
  for (const fn of functions) {
    const set = new EventConsumerSet(fn.name, consumersOf(fn));
    consumers.set(fn.name, set);
    // A function that takes every type subscribes once, to all of them; consume() runs its consumers of the type too.
    for (const type of set.types.includes('*') ? ['*'] : set.types) {
      inProcessTransport?.subscribe(type, async (event) => {
        await set.consume(platform, event);
      });
    }
  }

  const stops: Array<() => Promise<void>> = [];
  for (const fn of functions) for (const worker of fn.workers) stops.push(await worker(platform));
  dispatcher.start();

  return {
    platform,
    consumers,
    async stop({ forceStoreAfterMs } = {}) {
      await runtime.stop();
      await dispatcher?.stop();
      await platform.decisionLog.flush();
      for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.error({ err }, 'worker failed to stop'));
      await contexts.closeAll((name, err) => log.error({ err, context: name }, 'a function context failed to close'));
      await store.close(forceStoreAfterMs === undefined ? {} : { forceAfterMs: forceStoreAfterMs });
    },
  };
}
