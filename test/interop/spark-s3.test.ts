import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { createTestBucket, listKeys, testS3 } from '../support/s3.js';
import { runClientScript, startInteropCatalog, withoutAwsEnvironment, type InteropCatalog } from './interop.js';
import { findSparkS3Clients, sparkCoreRoundTripTests, type SparkCoreRun } from './spark-roundtrip.js';

/**
 * Apache Spark 3.5 with Iceberg's Spark runtime and AWS bundle (S3FileIO), unchanged, against our catalog with the
 * warehouse on S3 (moto on loopback in CI) and static credential vending. The Spark catalog gets the catalog's URI,
 * warehouse and a service account only, and runs without any AWS_* variable: S3FileIO's endpoint, region, path style
 * and keys all come from loadTable's `config` and `storage-credentials`. spark_s3_roundtrip.py runs CREATE TABLE,
 * INSERT, MERGE INTO, SELECT, time travel, ALTER TABLE ADD COLUMN and expire_snapshots, stops at a checkpoint while
 * this test lists the bucket with the SDK, then DROP TABLE … PURGE (Spark deletes the files itself).
 *
 * 40 s alone, up to 1.5 minutes beside the other Spark suite, so it runs once: on PostgreSQL when DATABASE_URL is set
 * (CI), else on PGlite.
 */
const s3 = testS3('the Spark S3 interop suite (test/interop/spark-s3.test.ts)');
const clients = findSparkS3Clients('the Spark S3 interop suite');
const SCRIPT = path.join(import.meta.dirname, 'spark_s3_roundtrip.py');
const backend = backends().at(-1)!;

interface SparkRun extends SparkCoreRun {
  spark: string;
  tables: string[];
  location: string;
  fileIO: { class: string; delegate?: string; properties: string[]; storageCredentials: Array<{ prefix: string; keys: string[] }> | string };
  snapshotsBeforeExpiry: number;
  expireSnapshots: Record<string, number>;
  snapshotsAfterExpiry: number;
  rowsAfterExpiry: unknown[][];
  dataFiles: string[];
  expiredDataFiles: string[];
  manifestLists: string[];
  manifests: string[];
  metadataFiles: string[];
  tablesAfterDrop: string[];
  namespacesAfterDrop: string[];
}

describe.skipIf(!s3 || !clients)(`Spark 3.5 with the Iceberg runtime against the catalog with an S3 warehouse (vended credentials) on ${backend}`, () => {
  const server = s3!;
  let catalog: InteropCatalog;
  let bucket: string;
  let dropBucket: (() => Promise<void>) | undefined;
  let run: SparkRun;
  /** What the bucket held under the table's location before the drop, and after the run. */
  let keysBeforeDrop: string[];
  let keysAfterDrop: string[];
  const keyOf = (location: string) => location.slice(`s3://${bucket}/`.length);
  const keysUnder = (location: string) => listKeys(server, bucket, `${keyOf(location).replace(/\/+$/, '')}/`);

  beforeAll(async () => {
    ({ bucket, drop: dropBucket } = await createTestBucket(server, 'spark'));
    catalog = await startInteropCatalog(backend, { s3: { s3: server, bucket } });
    const py = clients!.python;
    const config = { ...catalog.connection, namespace: 'interop_spark_s3', jars: clients!.jars, checkpoints: true };
    const { result } = await runClientScript<SparkRun>(py, SCRIPT, config, {
      timeoutMs: 540_000,
      // Spark's driver binds to loopback only, and its Python workers (if any) use the same interpreter.
      env: { ...withoutAwsEnvironment(), SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: py, PYSPARK_DRIVER_PYTHON: py },
      checkpoint: async (name, data) => {
        expect(name).toBe('beforeDrop');
        keysBeforeDrop = await keysUnder(String(data['location']));
      },
    });
    run = result;
    keysAfterDrop = await keysUnder(run.location);
  }, 600_000);
  afterAll(async () => {
    await catalog?.close();
    await dropBucket?.();
  });

  it('CREATE NAMESPACE and CREATE TABLE put the table in the bucket', () => {
    expect(run.spark).toMatch(/^3\.5\./);
    expect(run.tables).toEqual(['orders']);
    expect(run.location.startsWith(`${catalog.storageLocation}/interop_spark_s3/orders`)).toBe(true);
  });

  it('S3FileIO is configured from the catalog: endpoint, region, path style and keys, in config and storage-credentials', () => {
    const keys = ['client.region', 's3.access-key-id', 's3.endpoint', 's3.path-style-access', 's3.secret-access-key'];
    expect(run.fileIO).toEqual({
      class: 'org.apache.iceberg.io.ResolvingFileIO',
      delegate: 'org.apache.iceberg.aws.s3.S3FileIO',
      properties: keys,
      storageCredentials: [{ prefix: catalog.storageLocation, keys }],
    });
  });

  sparkCoreRoundTripTests(() => run);

  it("CALL expire_snapshots deletes the expired snapshots' objects from the bucket and keeps the data", () => {
    expect(run.snapshotsBeforeExpiry).toBe(3);
    expect(run.expireSnapshots).toMatchObject({ deleted_manifest_lists_count: 2, deleted_data_files_count: 1 });
    expect(run.snapshotsAfterExpiry).toBe(1);
    expect(run.rowsAfterExpiry).toEqual(run.afterAddColumn);
    // The grace file that MERGE rewrote (copy-on-write) was only in the first snapshot.
    expect(run.expiredDataFiles).toHaveLength(1);
    expect(run.expiredDataFiles[0]).toContain('/data/customer=grace/');
    expect(keysBeforeDrop).not.toContain(keyOf(run.expiredDataFiles[0]!));
  });

  it('before the drop, the bucket holds exactly the live table: data files, manifests, manifest list, metadata files', () => {
    expect(run.dataFiles).toHaveLength(4);
    const live = [...run.dataFiles, ...run.manifests, ...run.manifestLists, ...run.metadataFiles];
    for (const file of live) expect(file.startsWith(`${run.location}/`), file).toBe(true);
    expect(keysBeforeDrop).toEqual(live.map(keyOf).sort());
    // Written by the catalog: create, then a commit each for INSERT, MERGE, ADD COLUMN, INSERT and the expiry.
    expect(run.metadataFiles).toHaveLength(6);
  });

  it('DROP TABLE … PURGE removes every object of the table from the bucket; the namespace drops', () => {
    expect(run.tablesAfterDrop).toEqual([]);
    expect(run.namespacesAfterDrop).toEqual([]);
    expect(keysAfterDrop).toEqual([]);
  });
});
