import { expect, it } from 'vitest';
import { missingPrerequisite } from '../support/prerequisites.js';
import { INSTALL_HINT, findIcebergAwsJar, findIcebergSparkJar, findInteropPython, findSparkJava } from './interop.js';

/**
 * What the S3 Spark suites run: the interop venv's Python with pyspark, Iceberg's Spark runtime and its AWS bundle,
 * and a Java that Spark 3.5 takes. Undefined after saying loudly what is skipped (a failure in CI).
 */
export function findSparkS3Clients(what: string): { python: string; jars: string[] } | undefined {
  const python = findInteropPython(['pyspark']);
  const jar = findIcebergSparkJar();
  const awsJar = findIcebergAwsJar(jar);
  const java = findSparkJava();
  if (python.ok && jar.ok && awsJar.ok && java.ok) return { python: python.value, jars: [jar.value, awsJar.value] };
  const missing = [python, jar, awsJar, java].flatMap((f) => (f.ok ? [] : [f.why]));
  missingPrerequisite(what, `${missing.join('; ')}; ${INSTALL_HINT}`);
  return undefined;
}

/**
 * What spark_roundtrip.py and spark_s3_roundtrip.py both read back. Their core statements are the same (CREATE an
 * orders table, INSERT three rows, MERGE one update and one insert, time travel to the first snapshot, ADD COLUMN and
 * one more row), so the rows they must see are written here once.
 */
export interface SparkCoreRun {
  firstSnapshot: string;
  afterInsert: unknown[][];
  afterMerge: unknown[][];
  perCustomer: unknown[][];
  versionAsOf: unknown[][];
  timestampAsOf: unknown[][];
  afterAddColumn: unknown[][];
  oldVersionAfterAddColumn: unknown[][];
}

export const SPARK_CORE_ROWS = {
  afterInsert: [
    [1, 'ada', 10],
    [2, 'grace', 20],
    [3, 'ada', 30],
  ],
  afterMerge: [
    [1, 'ada', 10],
    [2, 'grace', 25],
    [3, 'ada', 30],
    [4, 'linus', 40],
  ],
  perCustomer: [
    ['ada', 2, 40],
    ['grace', 1, 25],
    ['linus', 1, 40],
  ],
  firstSnapshotAmounts: [
    [1, 10],
    [2, 20],
    [3, 30],
  ],
  afterAddColumn: [
    [1, 10, null],
    [2, 25, null],
    [3, 30, null],
    [4, 40, null],
    [5, 50, 'new'],
  ],
} as const;

/** The core steps' checks, as tests of the calling describe block; `run` is read once its beforeAll has set it. */
export function sparkCoreRoundTripTests(run: () => SparkCoreRun): void {
  it('INSERT, MERGE INTO and SELECT', () => {
    expect(run().afterInsert).toEqual(SPARK_CORE_ROWS.afterInsert);
    expect(run().afterMerge).toEqual(SPARK_CORE_ROWS.afterMerge);
    expect(run().perCustomer).toEqual(SPARK_CORE_ROWS.perCustomer);
  });

  it('time travel: VERSION AS OF and TIMESTAMP AS OF the first snapshot', () => {
    expect(run().firstSnapshot).toMatch(/^-?\d+$/);
    expect(run().versionAsOf).toEqual(SPARK_CORE_ROWS.firstSnapshotAmounts);
    expect(run().timestampAsOf).toEqual(SPARK_CORE_ROWS.firstSnapshotAmounts);
  });

  it('ALTER TABLE ADD COLUMN: new rows carry it, old rows read null, the old snapshot keeps its schema', () => {
    expect(run().afterAddColumn).toEqual(SPARK_CORE_ROWS.afterAddColumn);
    expect(run().oldVersionAfterAddColumn).toEqual(SPARK_CORE_ROWS.afterInsert);
  });
}
