/**
 * Apache Hive's own metastore 2.3.9, unchanged: the jars PySpark ships (hive-metastore, DataNucleus, Derby, Hadoop's
 * client) run `org.apache.hadoop.hive.metastore.HiveMetaStore` on a loopback port. Derby in a temporary directory by
 * default, or a PostgreSQL database (its JDBC driver from `jdbcJars`). The schema is made by DataNucleus on first
 * use (datanucleus.schema.autoCreateAll), as Hive's schematool would. It is what the metastore function is compared
 * with (the differential tests and bench:metastore) and what the call recorder stands in front of.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { endGroup } from '../../../shared/runtime/process-group.js';
import { freePort, isListening } from '../../support/ports.js';

export interface HiveMetastore {
  readonly port: number;
  /** Where managed tables go (file: URI). */
  readonly warehouse: string;
  log(): string;
  stop(): Promise<void>;
}

export interface HiveMetastoreOptions {
  /** PySpark's directory (its jars/ holds Hive 2.3.9). */
  readonly sparkHome: string;
  /** JAVA_HOME; the one on PATH when not given. */
  readonly javaHome?: string | undefined;
  /** A PostgreSQL JDBC URL with user and password; Derby when not given. */
  readonly jdbc?: { url: string; user: string; password: string; driverJar: string } | undefined;
  readonly timeoutMs?: number | undefined;
}

export async function startHiveMetastore(options: HiveMetastoreOptions): Promise<HiveMetastore> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-hms-'));
  const warehouse = path.join(dir, 'warehouse');
  mkdirSync(warehouse);
  const port = await freePort();
  const jars = path.join(options.sparkHome, 'jars');
  const conf: Record<string, string> = {
    'hive.metastore.warehouse.dir': `file://${warehouse}`,
    'hive.metastore.schema.verification': 'false',
    'datanucleus.schema.autoCreateAll': 'true',
    'hive.metastore.event.db.notification.api.auth': 'false',
    'derby.system.home': path.join(dir, 'derby'),
    ...(options.jdbc
      ? {
          'javax.jdo.option.ConnectionURL': options.jdbc.url,
          'javax.jdo.option.ConnectionDriverName': 'org.postgresql.Driver',
          'javax.jdo.option.ConnectionUserName': options.jdbc.user,
          'javax.jdo.option.ConnectionPassword': options.jdbc.password,
        }
      : { 'javax.jdo.option.ConnectionURL': `jdbc:derby:;databaseName=${path.join(dir, 'metastore_db')};create=true` }),
  };
  const classpath = [path.join(jars, '*'), ...(options.jdbc ? [options.jdbc.driverJar] : [])].join(':');
  const java = options.javaHome ? path.join(options.javaHome, 'bin', 'java') : 'java';
  const args = [
    '-Xmx512m',
    // Hive 2.3 predates the module system: the JDK's internals it reaches into are opened to it.
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.net=ALL-UNNAMED',
    '--add-opens=java.base/java.util=ALL-UNNAMED',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    // Hive's log4j2 setup asks for asynchronous loggers (LMAX Disruptor, not among PySpark's jars): plain ones do.
    '-DLog4jContextSelector=org.apache.logging.log4j.core.selector.ClassLoaderContextSelector',
    '-Dlog4j2.contextSelector=org.apache.logging.log4j.core.selector.ClassLoaderContextSelector',
    ...Object.entries(conf).map(([k, v]) => `-D${k}=${v}`),
    '-cp',
    classpath,
    'org.apache.hadoop.hive.metastore.HiveMetaStore',
    '-p',
    String(port),
  ];
  const logFile = path.join(dir, 'metastore.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(java, args, { cwd: dir, stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, HADOOP_USER_NAME: 'hive' } });
  closeSync(fd);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    // The whole process group: the launcher's JVM and anything it started.
    if (child.pid) await endGroup(child.pid, 15_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!(await isListening(port))) {
    if (exited || Date.now() > deadline) {
      const tail = log().split('\n').slice(-40).join('\n');
      await stop();
      throw new Error(`Hive's metastore did not start (${exited ? 'it exited' : 'timed out'}):\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { port, warehouse: `file://${warehouse}`, log, stop };
}
