/**
 * What a data team does with Hive tables, run by unchanged clients against a metastore URI: Spark 3.5 with Hive support
 * (hms_spark_scenario.py) and Trino 476's Hive connector. Each step is announced before it runs (`step`), so the calls
 * a metastore receives can be set under the step that made them; each returns what every step gave (rows or error).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { findTrino, startTrino } from '../../support/trino.js';

export type Step = (name: string, at?: number) => void;

/**
 * `env`: more of Spark's environment; for our metastore HADOOP_USER_NAME carries the Lakeplane token set_ugi presents
 * (and SPARK_USER keeps Spark's own user name, which owners and logs show, the person's).
 */
export function runSparkScenario(
  python: string,
  sparkHome: string,
  config: { uri: string; warehouse: string; scratch: string },
  step: Step,
  env: Record<string, string> = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const script = path.join(import.meta.dirname, '..', 'hms_spark_scenario.py');
    const child = spawn(python, [script, JSON.stringify(config)], {
      env: { ...process.env, SPARK_HOME: sparkHome, SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: python, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let results: unknown;
    let err = '';
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const m = JSON.parse(line) as { step?: string; at?: number; results?: unknown };
        if (m.step !== undefined) step(m.step, m.at);
        if (m.results !== undefined) results = m.results;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(results) : reject(new Error(`the Spark scenario exited ${code}:\n${err.slice(-4000)}`))));
  });
}

/** Trino 476 (scripts/install-trino.sh) with a `hive` catalog on the metastore; tables on the local file system. */
export async function runTrinoScenario(uri: string, warehouse: string, scratch: string, step: Step): Promise<unknown> {
  const install = findTrino();
  if (!install.ok) throw new Error(install.why);
  const trino = await startTrino(install.value, {
    catalogs: {
      hive: {
        'connector.name': 'hive',
        'hive.metastore.uri': uri,
        'fs.hadoop.enabled': 'true',
        'hive.non-managed-table-writes-enabled': 'true',
        'hive.storage-format': 'PARQUET',
      },
    },
    accessControl: { 'access-control.name': 'allow-all' },
    plugins: ['hive'],
  });
  const results: Record<string, unknown> = {};
  const location = `${warehouse}/trino_sales.db`;
  mkdirSync(new URL(location).pathname, { recursive: true });
  const run = async (name: string, sql: string) => {
    step(name);
    const answer = await trino.query('analyst', sql);
    results[name] = answer.error ? { error: answer.error } : answer.rows;
  };
  try {
    await run('show schemas', 'SHOW SCHEMAS FROM hive');
    await run('create schema', `CREATE SCHEMA hive.trino_sales WITH (location = '${location}')`);
    await run(
      'create partitioned table',
      "CREATE TABLE hive.trino_sales.orders (id integer, amount double, day varchar) WITH (format = 'PARQUET', partitioned_by = ARRAY['day'])",
    );
    await run('insert', "INSERT INTO hive.trino_sales.orders VALUES (1, 2.5, '2026-01-01'), (2, 3.5, '2026-01-02'), (3, 4.5, '2026-01-02')");
    await run('select with partition predicate', "SELECT id, amount FROM hive.trino_sales.orders WHERE day = '2026-01-02' ORDER BY id");
    await run('select with range predicate', "SELECT count(*) FROM hive.trino_sales.orders WHERE day >= '2026-01-02'");
    await run('partitions table', 'SELECT * FROM hive.trino_sales."orders$partitions" ORDER BY day');
    await run('show tables', 'SHOW TABLES FROM hive.trino_sales');
    await run('describe', 'DESCRIBE hive.trino_sales.orders');
    await run('analyze', 'ANALYZE hive.trino_sales.orders');
    await run('show stats', 'SHOW STATS FOR hive.trino_sales.orders');
    await run('insert into existing partition', "INSERT INTO hive.trino_sales.orders VALUES (4, 5.5, '2026-01-01')");
    await run('sync partition metadata', "CALL hive.system.sync_partition_metadata('trino_sales', 'orders', 'FULL')");
    const csv = path.join(scratch, 'trino_csv');
    mkdirSync(csv, { recursive: true });
    await run(
      'create external csv table',
      `CREATE TABLE hive.trino_sales.raw_csv (id varchar, name varchar) WITH (format = 'CSV', external_location = 'file://${csv}')`,
    );
    await run('comment on table', "COMMENT ON TABLE hive.trino_sales.orders IS 'orders by day'");
    await run('add column', 'ALTER TABLE hive.trino_sales.orders ADD COLUMN note varchar');
    await run('rename table', 'ALTER TABLE hive.trino_sales.orders RENAME TO hive.trino_sales.orders_v2');
    await run('delete partition', "DELETE FROM hive.trino_sales.orders_v2 WHERE day = '2026-01-01'");
    await run('drop external table', 'DROP TABLE hive.trino_sales.raw_csv');
    await run('drop table', 'DROP TABLE hive.trino_sales.orders_v2');
    await run('drop schema', 'DROP SCHEMA hive.trino_sales');
    return results;
  } finally {
    await trino.stop();
  }
}
