import { Type, type Static } from '@sinclair/typebox';
import { checkEnv } from './check-env.js';
import { parseTrustedProxies, type TrustedProxies } from './trusted-proxies.js';
import { parseCidrList } from './cidr-list.js';
import { parseGatewayUpstreams } from './gateway-upstreams.js';

/**
 * Every environment variable the platform reads, with its default. The README's configuration table is this list;
 * a test keeps the two in step.
 */
export const ConfigSchema = Type.Object({
  LAKEPLANE_MODE: Type.Union([Type.Literal('embedded'), Type.Literal('cluster')], {
    default: 'embedded',
    description:
      'embedded: one process, PGlite unless DATABASE_URL is set, in-process events. cluster: one function per process, PostgreSQL, events to the Knative Broker.',
  }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Port to listen on (0 picks a free one).' }),
  HOST: Type.String({ default: '0.0.0.0', description: 'Address to listen on.' }),
  FUNCTION_TARGET: Type.Optional(
    Type.String({
      pattern: '^[a-z][a-z0-9-]*$',
      description: 'Serve only this function (cluster mode sets it per Knative Service), or gateway: the gateway in front of them. Unset: every function.',
    }),
  ),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection string. Required in cluster mode; in embedded mode it replaces PGlite.' }),
  ),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'Connections per process in the PostgreSQL pool.' }),
  LAKEPLANE_DATA_DIR: Type.String({ minLength: 1, default: './.lakeplane', description: 'Embedded mode: where PGlite keeps its data.' }),
  LAKEPLANE_MIGRATE_ON_START: Type.Optional(
    Type.Boolean({ description: 'Apply migrations at start. Default: true in embedded mode, false in cluster mode (a Job runs them).' }),
  ),
  LAKEPLANE_SHUTDOWN_GRACE_SECONDS: Type.Number({
    minimum: 0,
    maximum: 3600,
    default: 20,
    description:
      "On SIGTERM, how long requests in flight may finish; then those still running get 503, their connections close, and the process exits once its database connections are closed (a few seconds more at most). Keep it at least 5 s below the pod's terminationGracePeriodSeconds (Kubernetes default 30).",
  }),
  LAKEPLANE_MAX_BODY_BYTES: Type.Integer({ minimum: 1024, default: 1048576, description: 'Largest request body accepted; larger ones get 413.' }),
  LAKEPLANE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'Log level of the JSON logs on stdout.' },
  ),
  LAKEPLANE_ISSUER: Type.Optional(
    Type.String({
      format: 'uri',
      description: 'Issuer (iss) of the tokens Lakeplane mints and the base of its discovery document. Default: http://localhost:PORT.',
    }),
  ),
  LAKEPLANE_ADMIN_USERNAME: Type.String({
    pattern: '^[a-z0-9][a-z0-9._-]{1,62}$',
    default: 'admin',
    description: 'Username of the admin created on first start.',
  }),
  LAKEPLANE_ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 12, description: 'Password of the admin created on first start; if unset a random one is generated and printed once.' }),
  ),
  LAKEPLANE_ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86400, default: 900, description: 'Lifetime of access tokens (JWTs).' }),
  LAKEPLANE_REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 300, default: 2592000, description: 'Lifetime of refresh tokens.' }),
  LAKEPLANE_LOGIN_MAX_FAILURES: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Failed logins of one user name from one client address before that pair is throttled; the user logs in from other addresses meanwhile.',
  }),
  LAKEPLANE_LOGIN_LOCKOUT_SECONDS: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'First throttle window after too many failed logins or client authentications; it doubles with each further failure, capped at one hour.',
  }),
  LAKEPLANE_LOGIN_FAILURE_RESET_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 86400,
    default: 3600,
    description: 'Failed credentials are forgotten this long after the last one (of that user name and address, address, or client).',
  }),
  LAKEPLANE_LOGIN_ADDRESS_MAX_FAILURES: Type.Integer({
    minimum: 1,
    default: 20,
    description:
      'Failed credentials (passwords, client secrets, refresh and subject tokens) from one client address, whatever the user name, before the address is throttled: password spraying.',
  }),
  LAKEPLANE_CLIENT_MAX_FAILURES: Type.Integer({
    minimum: 1,
    default: 20,
    description: 'Failed authentications of one client_id (a service account), from any address, before that client_id is throttled: secret guessing.',
  }),
  LAKEPLANE_LOGIN_GLOBAL_FAILURES_PER_MINUTE: Type.Integer({
    minimum: 1,
    default: 300,
    description:
      'Failed token requests per minute, all clients together, above which each failed answer is delayed (250 ms, doubling with each further multiple, at most 5 s): a flood is slowed, nobody is locked out.',
  }),
  LAKEPLANE_TRUSTED_PROXIES: Type.String({
    default: '',
    description:
      "Comma-separated addresses or CIDR ranges of the reverse proxies (the gateway) whose X-Forwarded-For is believed; the client address is the nearest address in it that is not one of them. Empty: the socket's peer is the client.",
  }),
  LAKEPLANE_AUTH_CACHE_TTL_MS: Type.Integer({
    minimum: 0,
    default: 2000,
    description:
      'How long a resolved principal (user, groups, active flag) is reused before the store is asked again. Writes in the same process invalidate it at once.',
  }),
  LAKEPLANE_BROKER_URL: Type.Optional(
    Type.String({
      format: 'uri',
      description: 'Where outgoing CloudEvents are POSTed in cluster mode (the Knative Broker). K_SINK, set by a SinkBinding, wins over it.',
    }),
  ),
  LAKEPLANE_BROKER_TOKEN_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "A token file sent as the sender's identity with every event POSTed to the Broker (a projected ServiceAccount token with the Broker's audience, eventing.knative.dev/broker/<namespace>/<name>): a Broker with Knative's authentication-oidc refuses deliveries without one.",
    }),
  ),
  K_SINK: Type.Optional(Type.String({ format: 'uri', description: 'Injected by a Knative SinkBinding: the event sink URL.' })),
  LAKEPLANE_EVENT_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 8,
    description: 'Delivery attempts of an outgoing event before it is dead-lettered.',
  }),
  LAKEPLANE_EVENT_RETRY_BASE_MS: Type.Integer({
    minimum: 10,
    default: 1000,
    description: 'First retry delay of a failed delivery; it doubles per attempt (with jitter), capped at 5 minutes.',
  }),
  LAKEPLANE_INGEST_ALLOW_ANONYMOUS: Type.Boolean({
    default: false,
    description:
      "Accept CloudEvents at /cloudevents/<function> without a credential. Only with LAKEPLANE_INGEST_CLUSTER_LOCAL=true: the process refuses to start otherwise. Prefer the Broker's sender identity (LAKEPLANE_INGEST_OIDC_*).",
  }),
  LAKEPLANE_INGEST_CLUSTER_LOCAL: Type.Boolean({
    default: false,
    description:
      'Declares that this process is reachable only inside the cluster (its Knative Service is labelled networking.knative.dev/visibility: cluster-local); required for LAKEPLANE_INGEST_ALLOW_ANONYMOUS.',
  }),
  LAKEPLANE_INGEST_OIDC_ISSUER: Type.Optional(
    Type.String({
      format: 'uri',
      description:
        "Accept CloudEvents delivered with a Knative Eventing sender identity token (feature authentication-oidc) from this issuer: the cluster's service account issuer, e.g. https://kubernetes.default.svc.cluster.local. Needs LAKEPLANE_INGEST_OIDC_AUDIENCES and LAKEPLANE_INGEST_OIDC_SUBJECTS.",
    }),
  ),
  LAKEPLANE_INGEST_OIDC_JWKS_URL: Type.Optional(
    Type.String({
      format: 'uri',
      description:
        "The sender issuer's keys (e.g. https://kubernetes.default.svc/openid/v1/jwks). Default: found by OIDC discovery at <issuer>/.well-known/openid-configuration.",
    }),
  ),
  LAKEPLANE_INGEST_OIDC_AUDIENCES: Type.Optional(
    Type.String({
      minLength: 1,
      description: "Comma-separated audiences a sender's token must name one of: the audience the Triggers give this Service (spec.subscriber.audience).",
    }),
  ),
  LAKEPLANE_INGEST_OIDC_SUBJECTS: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "Comma-separated subjects allowed to deliver events: the Triggers' OIDC service accounts, system:serviceaccount:<namespace>:<name>; an entry ending in * matches by prefix.",
    }),
  ),
  LAKEPLANE_INGEST_OIDC_TOKEN_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "A bearer token file sent when fetching the sender issuer's discovery document and keys (the pod's service account token: the API server serves them only to authenticated callers).",
    }),
  ),
  LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS: Type.Boolean({
    default: false,
    description:
      "Opt-in, for an internal network only: serve the Ranger plugin downloads (/service/plugins/policies/download, /service/roles/download, tags, xusers) to callers with no credential. Off: a plugin sends an admin service account's client id and secret in HTTP Basic (or a bearer token). The /secure/ twins always need a credential.",
  }),
  LAKEPLANE_OPA_DATA_API_ANONYMOUS: Type.Boolean({
    default: false,
    description:
      "Opt-in, for an internal network only: answer OPA's data API (/v1/data/…) for callers with no credential. Off: the caller sends an admin credential: access_token=<client secret or personal access token> in the URI's query (what Trino's OPA access control can send), or a Bearer or Basic header.",
  }),
  LAKEPLANE_POLICY_REFRESH_MS: Type.Integer({
    minimum: 0,
    maximum: 600000,
    default: 1000,
    description:
      'How often a process asks the store whether the data access policies or the control bundle in force changed; changes made in the same process, or announced to it by a policy change event, apply at once.',
  }),
  LAKEPLANE_JOBS_RUNTIME: Type.Optional(
    Type.Union([Type.Literal('local'), Type.Literal('kubernetes')], {
      description:
        'Where Spark jobs and lakehouses run: local (spark-submit on this machine) or kubernetes (Spark Operator SparkApplications). Default: local in embedded mode, kubernetes in cluster mode; local in cluster mode runs them beside functions on one machine (npm run start:cluster sets it).',
    }),
  ),
  LAKEPLANE_SPARK_SUBMIT: Type.Optional(
    Type.String({
      minLength: 1,
      description: "The local runtime's spark-submit. Default: $SPARK_HOME/bin/spark-submit, else spark-submit on PATH (pip install pyspark puts one there).",
    }),
  ),
  LAKEPLANE_SPARK_PYTHON: Type.Optional(
    Type.String({ minLength: 1, description: 'The Python of PySpark jobs in the local runtime. Default: the python beside spark-submit, else python3.' }),
  ),
  LAKEPLANE_SPARK_MASTER: Type.String({ minLength: 1, default: 'local[2]', description: "The local runtime's Spark master." }),
  LAKEPLANE_JOBS_LOG_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: "The local runtime's driver logs. Default: <LAKEPLANE_DATA_DIR>/runs (a temporary directory when the data dir is memory://).",
    }),
  ),
  LAKEPLANE_JOBS_SECRETS_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "The local runtime reads a job's secret reference from <dir>/<secretName>/<key>, as a mounted Kubernetes Secret. Default: <LAKEPLANE_DATA_DIR>/secrets.",
    }),
  ),
  LAKEPLANE_KUBECONFIG: Type.Optional(
    Type.String({
      minLength: 1,
      description: "Kubernetes runtime: a kubeconfig file. Default: the pod's service account in a cluster, else the default kubeconfig.",
    }),
  ),
  LAKEPLANE_JOBS_NAMESPACE: Type.String({
    pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
    default: 'lakeplane-jobs',
    description: 'Kubernetes runtime: the namespace SparkApplications are created in.',
  }),
  LAKEPLANE_JOBS_SERVICE_ACCOUNT: Type.String({ minLength: 1, default: 'spark', description: "Kubernetes runtime: the drivers' service account." }),
  LAKEPLANE_SPARK_IMAGE: Type.Optional(Type.String({ minLength: 1, description: 'Kubernetes runtime: the image of jobs that name none.' })),
  LAKEPLANE_SPARK_HISTORY_URL: Type.Optional(Type.String({ format: 'uri', description: 'The Spark history server: runs link their applications there.' })),
  LAKEPLANE_JOBS_SUPERVISE_MS: Type.Integer({
    minimum: 100,
    maximum: 60000,
    default: 2000,
    description: 'Embedded mode: how often runs are checked for due retries, timeouts and unsubmitted attempts (cluster mode: on every PingSource tick).',
  }),
  LAKEPLANE_LAKEHOUSE_PLATFORM_URL: Type.Optional(
    Type.String({
      format: 'uri',
      description:
        "Where a lakehouse's Spark driver reaches Lakeplane (its Iceberg catalog at /iceberg, /api/v1/me, the policy decisions). Default: the address this process listens on (embedded mode).",
    }),
  ),
  LAKEPLANE_LAKEHOUSE_JARS: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "The lakehouse driver's classpath, colon-separated: Iceberg's Spark runtime, the Lakeplane Spark engine and Spark Connect's server. Default: scripts/install-lakehouse.sh's jars in the Lakeplane cache (local runtime), /opt/lakeplane/jars/* in the image (Kubernetes).",
    }),
  ),
  LAKEPLANE_LAKEHOUSE_IMAGE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Kubernetes runtime: the image of lakehouses that name none (default: LAKEPLANE_SPARK_IMAGE). It must carry the jars of LAKEPLANE_LAKEHOUSE_JARS.',
    }),
  ),
  LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS: Type.Integer({
    minimum: 10,
    maximum: 3600,
    default: 300,
    description: 'A lakehouse whose endpoints do not answer this long after its start is FAILED.',
  }),
  LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 3600,
    default: 240,
    description:
      'How long a connection through the edge (HiveServer2 over HTTP, Spark Connect) to a stopped lakehouse with auto-start, or a starting one, waits for it to serve; then HiveServer2 clients get an error saying it is still starting and Spark Connect clients UNAVAILABLE.',
  }),
  LAKEPLANE_PUBLIC_URL: Type.Optional(
    Type.String({
      format: 'uri',
      pattern: '^https?://',
      description:
        "Where clients outside the cluster reach the platform (the gateway's external address, e.g. https://lakeplane.example.com): a lakehouse's connection details then give its JDBC URL over HTTP transport and its Spark Connect URL through it, by the lakehouse's name.",
    }),
  ),
  LAKEPLANE_LAKEHOUSE_READINESS: Type.Union([Type.Literal('probe'), Type.Literal('workload')], {
    default: 'probe',
    description:
      "When a starting lakehouse is RUNNING: probe (its HiveServer2 and Spark Connect ports accept connections) or workload (the driver is reported running; for a control plane that cannot reach the lakehouses' network).",
  }),
  LAKEPLANE_LAKEHOUSE_SESSION_TIMEOUT_SECONDS: Type.Integer({
    minimum: 10,
    maximum: 604800,
    default: 3600,
    description:
      'A lakehouse session unused this long counts as closed (and HiveServer2 closes it): Spark Connect 3.5 keeps an abandoned session an hour, and auto-stop waits for open sessions.',
  }),
  LAKEPLANE_LAKEHOUSE_ACTIVITY_REPORT_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 600,
    default: 30,
    description: 'How often a lakehouse driver reports its open sessions and running statements.',
  }),
  LAKEPLANE_LAKEHOUSES_SUPERVISE_MS: Type.Integer({
    minimum: 100,
    maximum: 60000,
    default: 2000,
    description: 'Embedded mode: how often lakehouses are checked (endpoints of starting ones, auto-stop, stuck stops); cluster mode: every PingSource tick.',
  }),
  LAKEPLANE_METASTORE_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      description:
        "The Hive metastore's Thrift port (Hive's own default is 9083; 0 picks a free one). Unset: the metastore serves no Thrift port. Preview: connections are not authenticated yet, so it listens on LAKEPLANE_METASTORE_HOST, loopback by default.",
    }),
  ),
  LAKEPLANE_METASTORE_HOST: Type.String({ default: '127.0.0.1', description: "The address the Hive metastore's Thrift port listens on." }),
  LAKEPLANE_METASTORE_WAREHOUSE: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      description: "The warehouse whose namespaces are the Hive metastore's databases (default: the first warehouse by name).",
    }),
  ),
  LAKEPLANE_METASTORE_IDLE_TIMEOUT_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 86400,
    default: 900,
    description: 'A metastore connection with no call for this long is closed (clients reconnect on their next call).',
  }),
  LAKEPLANE_SCHEDULER_TICK_MS: Type.Integer({
    minimum: 1000,
    maximum: 60000,
    default: 10000,
    description: 'Embedded mode: how often the scheduler looks for due schedule slots (cluster mode: on every PingSource tick, each minute).',
  }),
  LAKEPLANE_SCHEDULER_GRACE_MS: Type.Integer({
    minimum: 0,
    maximum: 3600000,
    default: 120000,
    description: "How late a slot may be seen and still start under catch-up policy none (the tick's own lateness); older slots are missed.",
  }),
  LAKEPLANE_WEBHOOK_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 50,
    default: 8,
    description: 'Tries of a webhook delivery before it is given up; three given up in a row disable the subscription.',
  }),
  LAKEPLANE_WEBHOOK_RETRY_BASE_MS: Type.Integer({
    minimum: 10,
    default: 5000,
    description: 'First retry delay of a failed webhook delivery; it doubles per try (with jitter), capped at an hour.',
  }),
  LAKEPLANE_WEBHOOK_ALLOWED_CIDRS: Type.Optional(
    Type.String({
      description:
        'Comma-separated CIDR ranges webhook targets may resolve into although they are loopback, private, link-local or otherwise internal (e.g. 10.20.0.0/16,fd00:1::/64). Unset: every such target is refused, at subscription and again at each delivery.',
    }),
  ),
  LAKEPLANE_WEBHOOK_POLL_MS: Type.Integer({
    minimum: 100,
    maximum: 60000,
    default: 1000,
    description: 'Embedded mode: how often due webhook retries are sent (cluster mode: on every PingSource tick, and at once for new events).',
  }),
  LAKEPLANE_SQL_RESULT_TTL_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 2592000,
    default: 3600,
    description:
      "How long a SQL statement's result is kept after it ends; then its chunks are deleted and the statement answers 404 saying when it expired (its history entry stays).",
  }),
  LAKEPLANE_SQL_CHUNK_MAX_ROWS: Type.Integer({ minimum: 1, maximum: 1000000, default: 20000, description: 'Most rows in one chunk of a SQL result.' }),
  LAKEPLANE_SQL_CHUNK_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 67108864,
    default: 4194304,
    description: 'Most bytes (of the rows as JSON) in one chunk of a SQL result.',
  }),
  LAKEPLANE_SQL_MAX_RESULT_BYTES: Type.Integer({
    minimum: 1024,
    default: 268435456,
    description: 'Most bytes of a SQL result kept; a larger result is cut there and marked truncated.',
  }),
  LAKEPLANE_SQL_SESSION_IDLE_MS: Type.Integer({
    minimum: 0,
    maximum: 3600000,
    default: 60000,
    description: "How long an idle HiveServer2 session of a caller on a lakehouse is kept for the caller's next statement (0: one session per statement).",
  }),
  LAKEPLANE_SQL_SWEEP_MS: Type.Integer({
    minimum: 100,
    maximum: 600000,
    default: 10000,
    description:
      'Embedded mode: how often expired SQL results are deleted and statements whose process died are ended (cluster mode: on every PingSource tick).',
  }),
  LAKEPLANE_SQL_HEARTBEAT_MS: Type.Integer({
    minimum: 100,
    maximum: 600000,
    default: 5000,
    description: 'How often a process running SQL statements marks them alive; one not marked for 6 times this is ended FAILED (its process is gone).',
  }),
  LAKEPLANE_EVENT_POLL_MS: Type.Integer({ minimum: 50, default: 2000, description: 'How often the dispatcher looks for due events when nothing nudged it.' }),
  LAKEPLANE_GATEWAY_NAMESPACE: Type.String({
    pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
    default: 'lakeplane',
    description: 'The gateway (FUNCTION_TARGET=gateway): the namespace of the Knative Services it routes to, http://<function>.<namespace>.svc.cluster.local.',
  }),
  LAKEPLANE_GATEWAY_UPSTREAMS: Type.Optional(
    Type.String({
      minLength: 2,
      description:
        'The gateway: where each function is served, as JSON, e.g. {"iam":"http://127.0.0.1:8101","catalog":"http://127.0.0.1:8102"}; it replaces the whole map of Knative Service URLs, so it names every function.',
    }),
  ),
  LAKEPLANE_GATEWAY_ANONYMOUS_RATE: Type.Number({
    minimum: 0,
    maximum: 100000,
    default: 50,
    description:
      'The gateway: requests per second one client address may send without a credential the gateway recognises (bursts of twice as many); more get 429. 0: unlimited. Callers with a credential are limited by their token or service account (maxRequestsPerSecond) instead.',
  }),
});

export type Config = Static<typeof ConfigSchema> & { LAKEPLANE_MIGRATE_ON_START: boolean; issuer: string; trustedProxies: TrustedProxies };

export class ConfigError extends Error {}

/** Reads and validates the environment; a bad value stops startup with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(ConfigSchema.properties);
  const raw: Record<string, string> = {};
  for (const key of known) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const checked = checkEnv(ConfigSchema, raw);
  if ('problems' in checked) {
    throw new ConfigError('Invalid configuration: ' + checked.problems.map((p) => `${p.variable || 'environment'} ${p.message}`).join('; '));
  }
  const parsed = checked.value;
  if (parsed.LAKEPLANE_WEBHOOK_ALLOWED_CIDRS !== undefined) {
    try {
      parseCidrList(parsed.LAKEPLANE_WEBHOOK_ALLOWED_CIDRS);
    } catch (err) {
      throw new ConfigError(`Invalid configuration: LAKEPLANE_WEBHOOK_ALLOWED_CIDRS ${(err as Error).message}`);
    }
  }
  if (parsed.LAKEPLANE_MODE === 'cluster' && !parsed.DATABASE_URL) {
    throw new ConfigError('Invalid configuration: DATABASE_URL is required when LAKEPLANE_MODE=cluster');
  }
  checkIngestSettings(parsed);
  if (parsed.LAKEPLANE_GATEWAY_UPSTREAMS !== undefined) {
    const upstreams = parseGatewayUpstreams(parsed.LAKEPLANE_GATEWAY_UPSTREAMS);
    if ('problem' in upstreams) throw new ConfigError(`Invalid configuration: LAKEPLANE_GATEWAY_UPSTREAMS ${upstreams.problem}`);
  }
  const proxies = parseTrustedProxies(parsed.LAKEPLANE_TRUSTED_PROXIES);
  if ('problem' in proxies) throw new ConfigError(`Invalid configuration: LAKEPLANE_TRUSTED_PROXIES ${proxies.problem}`);
  return {
    ...parsed,
    trustedProxies: proxies.trusted,
    LAKEPLANE_MIGRATE_ON_START: parsed.LAKEPLANE_MIGRATE_ON_START ?? parsed.LAKEPLANE_MODE === 'embedded',
    issuer: (parsed.LAKEPLANE_ISSUER ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
  };
}

/**
 * Who may deliver events must be said completely: anonymous deliveries only where the process declares itself
 * cluster-local (else anyone who reaches the URL forges events), and a sender issuer only with its audiences and
 * subjects (else any token the cluster issues would do).
 */
function checkIngestSettings(parsed: Static<typeof ConfigSchema>): void {
  if (parsed.LAKEPLANE_INGEST_ALLOW_ANONYMOUS && !parsed.LAKEPLANE_INGEST_CLUSTER_LOCAL) {
    throw new ConfigError(
      'Invalid configuration: LAKEPLANE_INGEST_ALLOW_ANONYMOUS=true needs LAKEPLANE_INGEST_CLUSTER_LOCAL=true, set only where the Service is cluster-local (networking.knative.dev/visibility: cluster-local); an externally visible Service must authenticate Broker deliveries with LAKEPLANE_INGEST_OIDC_ISSUER',
    );
  }
  const oidc = ['LAKEPLANE_INGEST_OIDC_AUDIENCES', 'LAKEPLANE_INGEST_OIDC_SUBJECTS'] as const;
  if (parsed.LAKEPLANE_INGEST_OIDC_ISSUER) {
    const missing = oidc.filter((name) => !parsed[name]?.split(',').some((s) => s.trim() !== ''));
    if (missing.length > 0) throw new ConfigError(`Invalid configuration: LAKEPLANE_INGEST_OIDC_ISSUER needs ${missing.join(' and ')}`);
  } else {
    const stray = [...oidc, 'LAKEPLANE_INGEST_OIDC_JWKS_URL', 'LAKEPLANE_INGEST_OIDC_TOKEN_FILE'].filter(
      (name) => parsed[name as keyof typeof parsed] !== undefined,
    );
    if (stray.length > 0)
      throw new ConfigError(`Invalid configuration: ${stray.join(', ')} ${stray.length === 1 ? 'has' : 'have'} no effect without LAKEPLANE_INGEST_OIDC_ISSUER`);
  }
}
