import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { INSTALL_HINT, findIcebergSparkJar, findInteropPython, findSparkJava, runClientScript, startInteropCatalog, type InteropCatalog } from './interop.js';
import { sparkCoreRoundTripTests, type SparkCoreRun } from './spark-roundtrip.js';

/**
 * Apache Spark 3.5 with Iceberg's Spark runtime, unchanged, against our catalog: SparkCatalog type=rest authenticated
 * as a service account (credential + oauth2-server-uri), IcebergSparkSessionExtensions for MERGE and CALL. The SQL
 * runs in spark_roundtrip.py (local[2], 1 GB driver, loopback only), which answers in JSON.
 *
 * A run takes 1.5 to 2 minutes, so it runs once: on PostgreSQL when DATABASE_URL is set (CI), else on PGlite.
 */
const python = findInteropPython(['pyspark']);
const jar = findIcebergSparkJar();
const java = findSparkJava();
const missing = [python, jar, java].filter((f) => !f.ok).map((f) => (f.ok ? '' : f.why));
if (missing.length) missingPrerequisite('the Spark interop suite', `${missing.join('; ')}; ${INSTALL_HINT}`);
const SCRIPT = path.join(import.meta.dirname, 'spark_roundtrip.py');
const backend = backends().at(-1)!;

type Outcome<T> = { ok: T } | { error: string };
interface SparkRun extends SparkCoreRun {
  spark: string;
  namespaces: string[];
  tables: string[];
  columns: string[];
  snapshotsBeforeExpiry: Array<[string, string]>;
  expireSnapshots: Record<string, number>;
  snapshotsAfterExpiry: number;
  rowsAfterExpiry: unknown[][];
  expiredVersion: string;
  deleteMergeOnRead: Outcome<number[][]>;
  ctas: Outcome<number[][]>;
  replaceTableAs: Outcome<[number[][], number]>;
  view: Outcome<[number[][], string[]]>;
  rewriteDataFiles: Outcome<[Record<string, number>, number[][]]>;
  tagAndBranch: Outcome<number[]>;
  renameTable: Outcome<string[]>;
  concurrentInserts: Outcome<{ rows: number; snapshots: number; failures: string[] }>;
  dropAll: Outcome<string[]>;
}

describe.skipIf(missing.length > 0)(`Spark 3.5 with the Iceberg runtime against the catalog on ${backend}`, () => {
  let catalog: InteropCatalog;
  let run: SparkRun;

  beforeAll(async () => {
    catalog = await startInteropCatalog(backend);
    const { result } = await runClientScript<SparkRun>(
      python.ok ? python.value : '',
      SCRIPT,
      { ...catalog.connection, namespace: 'interop_spark', jar: jar.ok ? jar.value : '' },
      {
        timeoutMs: 540_000,
        // Spark's driver binds to loopback only, and its Python workers (if any) use the same interpreter.
        env: { SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: python.ok ? python.value : '', PYSPARK_DRIVER_PYTHON: python.ok ? python.value : '' },
      },
    );
    run = result;
  }, 600_000);
  afterAll(async () => {
    await catalog?.close();
  });

  it('CREATE NAMESPACE and CREATE TABLE … PARTITIONED BY through the REST catalog', () => {
    expect(run.spark).toMatch(/^3\.5\./);
    expect(run.namespaces).toEqual(['interop_spark']);
    expect(run.tables).toEqual(['orders']);
  });

  sparkCoreRoundTripTests(() => run);

  it('ALTER TABLE ADD COLUMN appends the column after the others', () => {
    expect(run.columns.slice(0, 4)).toEqual(['id', 'customer', 'amount', 'note']);
  });

  it('CALL lp.system.expire_snapshots removes old snapshots and their files, keeping the data', () => {
    expect(run.snapshotsBeforeExpiry.map(([op]) => op)).toEqual(['append', 'overwrite', 'append']);
    expect(run.snapshotsBeforeExpiry[0]?.[1]).toBe(run.firstSnapshot);
    expect(run.expireSnapshots).toMatchObject({ deleted_manifest_lists_count: 2 });
    expect(run.expireSnapshots['deleted_data_files_count']).toBeGreaterThanOrEqual(1);
    expect(run.snapshotsAfterExpiry).toBe(1);
    expect(run.rowsAfterExpiry).toEqual(run.afterAddColumn);
    expect(run.expiredVersion).toContain(`Cannot find snapshot with ID ${run.firstSnapshot}`);
  });

  it('merge-on-read DELETE, CTAS, CREATE OR REPLACE TABLE AS SELECT, and an Iceberg view', () => {
    expect(run.deleteMergeOnRead).toEqual({ ok: [[2], [3], [4], [5]] });
    expect(run.ctas).toEqual({ ok: [[3], [4], [5]] });
    // The replaced table keeps its history: two snapshots.
    expect(run.replaceTableAs).toEqual({ ok: [[[4], [5]], 2] });
    expect(run.view).toEqual({ ok: [[[2], [3], [4], [5]], ['rich']] });
  });

  it('parallel INSERTs from one session all land (a commit that lost a race gets 409 and Iceberg retries it)', () => {
    expect(run.concurrentInserts).toEqual({ ok: { rows: 6, snapshots: 6, failures: [] } });
  });

  it('rewrite_data_files, tags and branches, rename, and dropping everything', () => {
    expect(run.rewriteDataFiles).toMatchObject({ ok: [{ failed_data_files_count: 0 }, [[2], [3], [4], [5]]] });
    // main has 4 rows, the dev branch one more, the tag what main had when it was made.
    expect(run.tagAndBranch).toEqual({ ok: [4, 5, 4] });
    expect(run.renameTable).toEqual({ ok: ['large_orders', 'orders'] });
    expect(run.dropAll).toEqual({ ok: [] });
  });
});
