import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metastoreContext } from '../../functions/metastore/metastore-context.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { sparkHomeOf } from '../support/spark-thrift-server.js';
import { INSTALL_HINT, findInteropPython, findSparkJava } from '../interop/interop.js';
import { runSparkScenario } from './support/scenarios.js';
import { startCallRecorder, type CallRecorder } from './support/thrift-call-recorder.js';

/**
 * Spark 3.5 with Hive support, unchanged (its built-in Hive 2.3.9 client), against our metastore: the scenario a data
 * team runs on Hive tables (hms_spark_scenario.py: a partitioned Parquet table with dynamic-partition inserts and
 * pruning, ANALYZE, ALTER, RENAME, an ORC table, an external CSV table over existing files found by MSCK REPAIR, a
 * JSON table, drops) gives the same rows as against Apache Hive's own metastore 2.3.9, as recorded in
 * recorded/spark-3.5-hive-2.3.9.json (times and temporary paths aside).
 */
const python = findInteropPython(['pyspark']);
const java = findSparkJava();
const sparkHome = python.ok ? sparkHomeOf(python.value) : undefined;
const missing = [python, java].filter((f) => !f.ok).map((f) => (f.ok ? '' : f.why));
if (python.ok && !sparkHome) missing.push(`no pyspark beside ${python.value}`);
if (missing.length) missingPrerequisite('the metastore suite with Spark', `${missing.join('; ')}; ${INSTALL_HINT}`);
const backend = backends().at(-1)!;

const recorded = JSON.parse(readFileSync(path.join(import.meta.dirname, 'recorded', 'spark-3.5-hive-2.3.9.json'), 'utf8')) as {
  results: Record<string, unknown>;
};

/** The rows of a step as they compare: the table's creation time and the temporary folder vary from run to run. */
function comparable(rows: unknown, warehouse: string): unknown {
  if (!Array.isArray(rows)) return rows;
  return rows.map((row) => {
    if (!Array.isArray(row)) return row;
    if (row[0] === 'Created Time') return ['Created Time', '(time)', ''];
    if (row[0] === 'Owner') return ['Owner', '(owner)', ''];
    if (row[0] === 'Location') return ['Location', String(row[1]).replace(warehouse, '(warehouse)'), row[2]];
    return row;
  });
}

describe.skipIf(missing.length > 0)(`the metastore serves Spark's Hive client, on ${backend}`, () => {
  let p: TestPlatform;
  let recorder: CallRecorder;
  let scratch: string;
  let root: string;
  const steps: Array<{ step: string; at: number }> = [];
  let results: Record<string, unknown>;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'lakeplane-metastore-spark-'));
    root = path.join(scratch, 'warehouse');
    mkdirSync(root);
    p = await startPlatform(backend, { env: { LAKEPLANE_METASTORE_PORT: '0' } });
    const admin = await p.adminToken();
    expect((await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } })).status).toBe(201);
    const pat = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'spark' } });
    expect(pat.status, JSON.stringify(pat.body)).toBe(201);
    recorder = await startCallRecorder(p.running.platform.contextOf(metastoreContext).thrift!.port);
    results = (await runSparkScenario(
      python.ok ? python.value : '',
      sparkHome!,
      // The existing CSV files lie inside the warehouse: a location elsewhere is refused (a test below).
      { uri: `thrift://127.0.0.1:${recorder.port}`, warehouse: pathToFileURL(root).href, scratch: path.join(root, 'landing') },
      (step, at) => steps.push({ step, at: at ?? Date.now() }),
      // Spark's Hive client authenticates with the token as its Hadoop user; Spark's own user stays root, as in the recording.
      { HADOOP_USER_NAME: pat.body.token as string, SPARK_USER: 'root' },
    )) as Record<string, unknown>;
  }, 600_000);
  afterAll(async () => {
    await recorder?.close();
    await p?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  const callsOf = (step: string) => {
    const i = steps.findIndex((s) => s.step === step);
    const from = steps[i]!.at;
    const to = steps[i + 1]?.at ?? Number.MAX_SAFE_INTEGER;
    return recorder.calls.filter((c) => c.at >= from && c.at < to);
  };

  it('gives every step the rows Hive 2.3.9 gave', () => {
    const warehouse = (rows: unknown) => comparable(rows, `file:${root}`);
    for (const [step, hive] of Object.entries(recorded.results)) {
      const hiveWarehouse = JSON.stringify(hive).match(/file:(\/tmp\/lakeplane-hms-[^/]+\/warehouse)/)?.[1];
      const expected = hiveWarehouse ? comparable(hive, `file:${hiveWarehouse}`) : hive;
      expect(warehouse(results[step]), step).toEqual(expected);
    }
  });

  it("records the owner Spark sends as the principal's name, never the token it authenticated with", () => {
    expect((results['describe extended'] as string[][]).find((r) => r[0] === 'Owner')).toEqual(['Owner', 'admin', '']);
  });

  it('prunes partitions in the metastore: get_partitions_by_filter is called, and the plan reads one of two partitions', () => {
    expect(callsOf('select with partition pruning').map((c) => c.name)).toContain('get_partitions_by_filter');
    const plan = JSON.stringify(results['explain partition pruning']);
    expect(plan).toContain('PartitionFilters: [isnotnull(day');
    // Two partitions exist; the one the filter keeps is the only folder read.
    expect(plan).toContain('InMemoryFileIndex(1 paths)');
  });

  it('answers every call the client makes with a result or its declared exception, never a failure of the call', () => {
    const failed = recorder.calls.filter((c) => c.answer?.kind === 'exception' || (c.answer === undefined && c.name !== 'shutdown'));
    expect(failed.map((c) => `${c.name}: ${JSON.stringify(c.answer)}`)).toEqual([]);
  });

  it("deletes a managed table's files with it and keeps an external table's", () => {
    expect(existsSync(path.join(root, 'sales.db', 'orders_v2'))).toBe(false);
    expect(existsSync(path.join(root, 'sales.db'))).toBe(false);
    expect(readFileSync(path.join(root, 'landing', 'raw', 'region=eu', 'data.csv'), 'utf8')).toBe('1,alpha\n2,beta\n');
  });
});
