import type { SparkApplication } from '../../runtime/index.js';
import type { EndpointPlan } from '../../runtime/index.js';
import type { LakehouseSpec } from './lakehouse-spec.js';

/** The classes of the Lakeplane Spark engine (engines/spark) a lakehouse driver loads. */
export const ENGINE_CLASSES = {
  extension: 'io.lakeplane.spark.LakeplaneSparkExtension',
  authenticator: 'io.lakeplane.spark.LakeplanePasswdAuthenticator',
  interceptor: 'io.lakeplane.spark.LakeplaneConnectInterceptor',
  activityReporter: 'io.lakeplane.spark.ActivityReporter',
} as const;

const THRIFT_SERVER = 'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2';
const CONNECT_PLUGIN = 'org.apache.spark.sql.connect.SparkConnectPlugin';
const ICEBERG_EXTENSIONS = 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions';

export const LAKEHOUSE_LABELS = { id: 'lakeplane.io/lakehouse-id', name: 'lakeplane.io/lakehouse', generation: 'lakeplane.io/generation' } as const;

/**
 * A start's workload name: `lh-<id's first 8 hex>-<generation>`. A new name per start keeps one start's status
 * reports apart from the next one's, and a retried submit of the same start finds the application it made.
 */
export function workloadName(lakehouseId: string, generation: number): string {
  return `lh-${lakehouseId.replace(/-/g, '').slice(0, 8)}-${generation}`;
}

/** What a Service selects the running driver by: the lakehouse (stable across starts) and the driver's role. */
export function driverSelector(lakehouseId: string): Record<string, string> {
  return { [LAKEHOUSE_LABELS.id]: lakehouseId, 'spark-role': 'driver' };
}

export interface LakehouseLaunch {
  id: string;
  generation: number;
  namespace: string;
  serviceAccount?: string | undefined;
  image?: string | undefined;
  /** Where the driver reaches Lakeplane: /iceberg, /api/v1/me, the policy decisions. */
  platformUrl: string;
  /** The warehouses, each a Spark catalog of the same name. */
  warehouses: readonly string[];
  /** Jars on the driver's classpath: Iceberg's Spark runtime, the engine, Spark Connect's server. */
  classpath: readonly string[];
  /** The primary resource: `spark-internal` to spark-submit, the Thrift server's jar in an image. */
  mainApplicationFile: string;
  plan: EndpointPlan;
  /** The token the driver reports its activity with (only its hash is stored). */
  agentToken: string;
  /** How often it reports, and when an unused session counts as closed. */
  activity: { reportEveryMs: number; sessionTimeoutMs: number };
}

/** The default catalog: the one asked for, else the first warehouse by name, else Spark's own session catalog. */
export function defaultCatalogOf(spec: LakehouseSpec, warehouses: readonly string[]): string | undefined {
  return spec.defaultCatalog ?? [...warehouses].sort()[0];
}

/**
 * The SparkApplication of one start: Spark's Thrift server (HiveServer2) with Spark Connect as a plugin of the same
 * driver, every warehouse an Iceberg REST catalog on Lakeplane, and the engine's authentication (HiveServer2's custom
 * password provider, a gRPC interceptor) and policy enforcement (a SQL extension) switched on. The settings Lakeplane
 * sets are written after the definition's own, which lakehouseProblems() keeps from naming them anyway.
 */
export function lakehouseApplication(spec: LakehouseSpec, l: LakehouseLaunch): SparkApplication {
  const labels = {
    [LAKEHOUSE_LABELS.id]: l.id,
    [LAKEHOUSE_LABELS.name]: spec.name,
    [LAKEHOUSE_LABELS.generation]: String(l.generation),
    'app.kubernetes.io/managed-by': 'lakeplane',
  };
  const platform = l.platformUrl.replace(/\/+$/, '');
  const conf: Record<string, string> = {
    ...spec.sparkConf,
    'spark.plugins': CONNECT_PLUGIN,
    'spark.connect.grpc.binding.port': String(l.plan.ports.sparkConnect),
    'spark.connect.grpc.interceptor.classes': ENGINE_CLASSES.interceptor,
    'spark.sql.extensions': `${ICEBERG_EXTENSIONS},${ENGINE_CLASSES.extension}`,
    // File queries (parquet.`s3://bucket/dir`) run: the engine decides each path against the url (storage-path)
    // policies first. Pinned, so neither a definition nor a session changes it.
    'spark.sql.runSQLOnFiles': 'true',
    'spark.lakeplane.url': platform,
    'spark.lakeplane.catalogs': l.warehouses.join(','),
    'spark.lakeplane.lakehouse.id': l.id,
    // Open sessions and running statements, reported to Lakeplane so auto-stop waits while anyone uses it.
    'spark.extraListeners': [spec.sparkConf['spark.extraListeners'], ENGINE_CLASSES.activityReporter].filter(Boolean).join(','),
    'spark.lakeplane.activity.intervalMs': String(l.activity.reportEveryMs),
    'spark.lakeplane.activity.sessionTimeoutMs': String(l.activity.sessionTimeoutMs),
    'spark.ui.port': String(l.plan.ports.ui),
    'spark.driver.bindAddress': l.plan.bindHost,
    ...(l.plan.bindHost === '127.0.0.1' ? { 'spark.driver.host': '127.0.0.1' } : {}),
    'spark.dynamicAllocation.enabled': 'true',
    'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
    'spark.dynamicAllocation.minExecutors': String(spec.executors.min),
    'spark.dynamicAllocation.maxExecutors': String(spec.executors.max),
  };
  if (l.classpath.length > 0) conf['spark.driver.extraClassPath'] = l.classpath.join(':');
  for (const w of l.warehouses) {
    conf[`spark.sql.catalog.${w}`] = 'org.apache.iceberg.spark.SparkCatalog';
    conf[`spark.sql.catalog.${w}.type`] = 'rest';
    conf[`spark.sql.catalog.${w}.uri`] = `${platform}/iceberg`;
    conf[`spark.sql.catalog.${w}.warehouse`] = w;
  }
  const defaultCatalog = defaultCatalogOf(spec, l.warehouses);
  if (defaultCatalog) conf['spark.sql.defaultCatalog'] = defaultCatalog;
  const hive = {
    'hive.server2.thrift.port': String(l.plan.ports.hiveServer2),
    'hive.server2.thrift.bind.host': l.plan.bindHost,
    'hive.server2.authentication': 'CUSTOM',
    'hive.server2.custom.authentication.class': ENGINE_CLASSES.authenticator,
    // Sessions of clients that vanished without closing them end too (the default is a week).
    'hive.server2.idle.session.timeout': String(l.activity.sessionTimeoutMs),
    'hive.server2.session.check.interval': String(Math.min(60_000, Math.max(3000, Math.floor(l.activity.sessionTimeoutMs / 2)))),
  };
  // On loopback, Spark's other listeners (the web UI, the block manager) stay there too.
  const env = [
    { name: 'LAKEPLANE_LAKEHOUSE_TOKEN', value: l.agentToken },
    ...(l.plan.bindHost === '127.0.0.1' ? [{ name: 'SPARK_LOCAL_IP', value: '127.0.0.1' }] : []),
  ];
  const image = spec.image ?? l.image;
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: workloadName(l.id, l.generation), namespace: l.namespace, labels },
    spec: {
      type: 'Scala',
      mode: 'cluster',
      sparkVersion: spec.sparkVersion,
      ...(image ? { image } : {}),
      mainApplicationFile: l.mainApplicationFile,
      mainClass: THRIFT_SERVER,
      arguments: Object.entries(hive).flatMap(([k, v]) => ['--hiveconf', `${k}=${v}`]),
      sparkConf: conf,
      hadoopConf: {},
      deps: {},
      driver: { cores: spec.driver.cores, memory: spec.driver.memory, ...(l.serviceAccount ? { serviceAccount: l.serviceAccount } : {}), labels, env },
      executor: { cores: spec.executor.cores, memory: spec.executor.memory, instances: Math.max(1, spec.executors.min), labels, env: [] },
      dynamicAllocation: { enabled: true, minExecutors: spec.executors.min, maxExecutors: spec.executors.max },
      restartPolicy: { type: 'Never' },
    },
  };
}
