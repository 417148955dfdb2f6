/**
 * Spark 3.5's Thrift server (HiveServer2 protocol), unchanged, as a lakehouse stands in for until the lakehouses
 * runtime starts one: spark-submit of HiveThriftServer2 from the interop venv's PySpark, Iceberg's Spark runtime on
 * the driver's classpath, each warehouse an Iceberg REST catalog of ours (as a service account). Loopback only; a
 * temporary directory for Derby and the session warehouse. Without an authenticator the server still speaks SASL
 * PLAIN and takes any name and password, and the session's user is the name given (current_user()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { endGroup } from '../../shared/runtime/process-group.js';
import type { CatalogConnection } from '../interop/interop.js';
import { freePort } from './ports.js';

export interface ThriftServer {
  host: string;
  port: number;
  /** The driver's log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** SPARK_HOME of the interop venv's PySpark (it carries spark-submit and the Thrift server's jars). */
export function sparkHomeOf(python: string): string | undefined {
  const lib = path.join(path.dirname(path.dirname(python)), 'lib');
  if (!existsSync(lib)) return undefined;
  for (const entry of ['python3.12', 'python3.11', 'python3.10', 'python3.9']) {
    const home = path.join(lib, entry, 'site-packages', 'pyspark');
    if (existsSync(path.join(home, 'bin', 'spark-submit')) && existsSync(path.join(home, 'jars'))) return home;
  }
  return undefined;
}

export async function startThriftServer(options: {
  sparkHome: string;
  icebergJar: string;
  catalogs: Record<string, CatalogConnection>;
  timeoutMs?: number;
}): Promise<ThriftServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-thrift-'));
  const port = await freePort();
  const conf: Record<string, string> = {
    'spark.master': 'local[2]',
    'spark.driver.memory': '1g',
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
    'spark.ui.enabled': 'false',
    'spark.ui.showConsoleProgress': 'false',
    'spark.sql.shuffle.partitions': '2',
    'spark.default.parallelism': '2',
    'spark.sql.session.timeZone': 'UTC',
    'spark.sql.warehouse.dir': path.join(dir, 'spark-warehouse'),
    'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
  };
  for (const [name, c] of Object.entries(options.catalogs)) {
    Object.assign(conf, {
      [`spark.sql.catalog.${name}`]: 'org.apache.iceberg.spark.SparkCatalog',
      [`spark.sql.catalog.${name}.type`]: 'rest',
      [`spark.sql.catalog.${name}.uri`]: c.uri,
      [`spark.sql.catalog.${name}.warehouse`]: c.warehouse,
      [`spark.sql.catalog.${name}.rest.auth.type`]: 'oauth2',
      [`spark.sql.catalog.${name}.credential`]: c.credential,
      [`spark.sql.catalog.${name}.oauth2-server-uri`]: c.oauth2ServerUri,
      [`spark.sql.catalog.${name}.scope`]: 'catalog',
      [`spark.sql.catalog.${name}.cache-enabled`]: 'false',
    });
  }
  const args = [
    '--class',
    'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2',
    '--driver-class-path',
    options.icebergJar,
    '--driver-java-options',
    `-Dderby.system.home=${path.join(dir, 'derby')}`,
    ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
    '--hiveconf',
    `hive.server2.thrift.port=${port}`,
    '--hiveconf',
    'hive.server2.thrift.bind.host=127.0.0.1',
    'spark-internal',
  ];
  const logFile = path.join(dir, 'driver.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(path.join(options.sparkHome, 'bin', 'spark-submit'), args, {
    cwd: dir,
    env: { ...process.env, SPARK_HOME: options.sparkHome, SPARK_LOCAL_IP: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    // The whole process group: the launcher's JVM and anything it started.
    if (child.pid) await endGroup(child.pid, 20_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  while (!/HiveThriftServer2 started/.test(log())) {
    if (exited || Date.now() > deadline) {
      const tail = log().split('\n').slice(-40).join('\n');
      await stop();
      throw new Error(`the Spark Thrift server did not start (${exited ? 'it exited' : 'timed out'}):\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { host: '127.0.0.1', port, log, stop };
}
