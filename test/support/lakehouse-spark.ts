/**
 * A lakehouse's Spark driver as the lakehouse runtime launches it (engines/spark/README.md has the launch contract):
 * one spark-submit of Spark's Thrift server (HiveServer2) with the Spark Connect plugin, Iceberg's REST catalog per
 * warehouse pointing at our platform, and Lakeplane's engine jar (authenticator, interceptor, SQL extension).
 *
 * What it needs, found through the variables the install scripts print, else in their default places under
 * LAKEPLANE_CACHE_DIR (~/.cache/lakeplane): pyspark 3.5.9's spark-submit (scripts/install-interop.sh), Iceberg's
 * Spark runtime jar (the same), the engine jar and Spark Connect's server jar (scripts/build-spark-engine.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { findIcebergSparkJar, findInteropPython, type Found } from '../interop/interop.js';
import { freePort, isListening } from './ports.js';

const cacheDir = () => process.env['LAKEPLANE_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'lakeplane');

export interface LakehouseTools {
  sparkSubmit: string;
  icebergJar: string;
  engineJar: string;
  connectJars: string;
  /** The client venv's Python: PyHive and pyspark[connect] (scripts/install-lakehouse-tools.sh). */
  clientPython: string;
}

function file(envName: string, fallback: string): Found<string> {
  const value = process.env[envName] ?? fallback;
  return existsSync(value.split(':')[0]!) ? { ok: true, value } : { ok: false, why: `no ${value} (${process.env[envName] ? envName : 'the default place'})` };
}

/** Everything the lakehouse tests need, or why some is missing. */
export function findLakehouseTools(): Found<LakehouseTools> {
  const interop = findInteropPython(['pyspark']);
  const iceberg = findIcebergSparkJar();
  const engine = file('LAKEPLANE_SPARK_ENGINE_JAR', path.join(cacheDir(), 'jars', 'lakeplane-spark-engine.jar'));
  const connectJars = file('LAKEPLANE_SPARK_CONNECT_JARS', path.join(cacheDir(), 'jars', 'spark-connect_2.12-3.5.7.jar'));
  const client = file('LAKEPLANE_LAKEHOUSE_PYTHON', path.join(cacheDir(), 'venv-lakehouse', 'bin', 'python'));
  const missing = [
    interop.ok ? undefined : `${interop.why} (scripts/install-interop.sh)`,
    iceberg.ok ? undefined : `${iceberg.why} (scripts/install-interop.sh)`,
    engine.ok ? undefined : `${engine.why} (scripts/build-spark-engine.sh)`,
    connectJars.ok ? undefined : `${connectJars.why} (scripts/build-spark-engine.sh)`,
    client.ok ? undefined : `${client.why} (scripts/install-lakehouse-tools.sh)`,
  ].filter((m): m is string => m !== undefined);
  if (missing.length || !interop.ok || !iceberg.ok || !engine.ok || !connectJars.ok || !client.ok) return { ok: false, why: missing.join('; ') };
  const sparkSubmit = path.join(path.dirname(interop.value), 'spark-submit');
  if (!existsSync(sparkSubmit)) return { ok: false, why: `no ${sparkSubmit} beside the interop venv's Python` };
  return { ok: true, value: { sparkSubmit, icebergJar: iceberg.value, engineJar: engine.value, connectJars: connectJars.value, clientPython: client.value } };
}

export interface LakehouseOptions {
  name: string;
  platformUrl: string;
  /** The Lakeplane warehouses, each a Spark catalog of the same name; the first is the default catalog. */
  warehouses: string[];
  /** Policy decisions are kept this long per session (spark.lakeplane.policy.cacheTtlMs). */
  policyTtlMs?: number;
}

export interface RunningLakehouse {
  hs2Port: number;
  connectPort: number;
  /** The exact spark-submit arguments used. */
  args: string[];
  log(): string;
  stop(): Promise<void>;
}

/** The launch contract's spark-submit arguments (engines/spark/README.md). */
export function launchArguments(tools: LakehouseTools, o: LakehouseOptions & { hs2Port: number; connectPort: number }): string[] {
  const catalogs = o.warehouses.flatMap((w) => [
    '--conf',
    `spark.sql.catalog.${w}=org.apache.iceberg.spark.SparkCatalog`,
    '--conf',
    `spark.sql.catalog.${w}.type=rest`,
    '--conf',
    `spark.sql.catalog.${w}.uri=${o.platformUrl}/iceberg`,
    '--conf',
    `spark.sql.catalog.${w}.warehouse=${w}`,
  ]);
  return [
    '--master',
    'local[2]',
    '--name',
    o.name,
    '--driver-memory',
    '1g',
    '--class',
    'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2',
    '--driver-class-path',
    [tools.icebergJar, tools.engineJar, tools.connectJars].join(':'),
    '--conf',
    'spark.plugins=org.apache.spark.sql.connect.SparkConnectPlugin',
    '--conf',
    `spark.connect.grpc.binding.port=${o.connectPort}`,
    '--conf',
    'spark.connect.grpc.interceptor.classes=io.lakeplane.spark.LakeplaneConnectInterceptor',
    '--conf',
    'spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,io.lakeplane.spark.LakeplaneSparkExtension',
    ...catalogs,
    '--conf',
    `spark.sql.defaultCatalog=${o.warehouses[0]}`,
    '--conf',
    `spark.lakeplane.url=${o.platformUrl}`,
    '--conf',
    `spark.lakeplane.catalogs=${o.warehouses.join(',')}`,
    ...(o.policyTtlMs !== undefined ? ['--conf', `spark.lakeplane.policy.cacheTtlMs=${o.policyTtlMs}`] : []),
    '--conf',
    'spark.sql.runSQLOnFiles=true',
    // Loopback only: no web UI, the driver on 127.0.0.1.
    '--conf',
    'spark.ui.enabled=false',
    '--conf',
    'spark.driver.host=127.0.0.1',
    '--conf',
    'spark.driver.bindAddress=127.0.0.1',
    '--hiveconf',
    `hive.server2.thrift.port=${o.hs2Port}`,
    '--hiveconf',
    'hive.server2.thrift.bind.host=127.0.0.1',
    '--hiveconf',
    'hive.server2.authentication=CUSTOM',
    '--hiveconf',
    'hive.server2.custom.authentication.class=io.lakeplane.spark.LakeplanePasswdAuthenticator',
    'spark-internal',
  ];
}

/** Starts the driver and waits until both endpoints listen (JVM starts are slow here: minutes are allowed). */
export async function startLakehouse(tools: LakehouseTools, options: LakehouseOptions, timeoutMs = 240_000): Promise<RunningLakehouse> {
  const [hs2Port, connectPort] = [await freePort(), await freePort()];
  const args = launchArguments(tools, { ...options, hs2Port, connectPort });
  // The Thrift server keeps a local Derby metastore and warehouse in its working directory: a scratch one.
  const work = mkdtempSync(path.join(tmpdir(), 'lakeplane-lakehouse-'));
  let log = '';
  const child: ChildProcess = spawn(tools.sparkSubmit, args, {
    cwd: work,
    env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: path.join(path.dirname(tools.sparkSubmit), 'python') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (c: Buffer) => {
    log += c.toString();
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(work, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await isListening(hs2Port)) || !(await isListening(connectPort))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the lakehouse did not start (${exited ? 'it exited' : 'timed out'}):\n${log.slice(-6000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { hs2Port, connectPort, args, log: () => log, stop };
}
