import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { createTestBucket, testS3 } from '../support/s3.js';
import { findS3sFs, startS3sFs, type S3sFs } from '../support/s3s-fs.js';
import { runClientScript, startInteropCatalog, withoutAwsEnvironment, type InteropCatalog } from './interop.js';
import { findSparkS3Clients, SPARK_CORE_ROWS } from './spark-roundtrip.js';

/**
 * Apache Spark 3.5 with Iceberg's runtime and AWS bundle, unchanged, through down-scoped storage access: STS-vended
 * credentials (moto's STS; Spark sends no delegation header, and an sts warehouse vends to a client that says
 * nothing) and remote signing (s3s-fs with keys only the catalog holds; the catalog gets
 * header.X-Iceberg-Access-Delegation=remote-signing; there DROP TABLE without PURGE). The same spark_s3_roundtrip.py as the static suite: CREATE,
 * INSERT, MERGE INTO, SELECT, time travel, ADD COLUMN, expire_snapshots, DROP TABLE … PURGE (Spark deletes itself).
 * Once each, on PostgreSQL when DATABASE_URL is set, else PGlite.
 */
const moto = testS3('the Spark STS vending suite (test/interop/spark-delegation.test.ts)');
const s3sBin = findS3sFs('the Spark remote signing suite (test/interop/spark-delegation.test.ts)');
const clients = findSparkS3Clients('the Spark delegation suites');
const SCRIPT = path.join(import.meta.dirname, 'spark_s3_roundtrip.py');
const backend = backends().at(-1)!;

interface SparkRun {
  fileIO: { class: string; delegate?: string; properties: string[]; storageCredentials: Array<{ prefix: string; keys: string[] }> | string };
  afterInsert: unknown[][];
  afterMerge: unknown[][];
  versionAsOf: unknown[][];
  afterAddColumn: unknown[][];
  snapshotsAfterExpiry: number;
  tablesAfterDrop: string[];
}

function runSpark(catalog: InteropCatalog, namespace: string, catalogProperties: Record<string, string> = {}, keepFiles = false): Promise<SparkRun> {
  const py = clients!.python;
  const config = { ...catalog.connection, namespace, jars: clients!.jars, catalogProperties, keepFiles };
  return runClientScript<SparkRun>(py, SCRIPT, config, {
    timeoutMs: 540_000,
    env: { ...withoutAwsEnvironment(), SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: py, PYSPARK_DRIVER_PYTHON: py },
  }).then((r) => r.result);
}

function expectRoundTrip(run: SparkRun): void {
  expect(run.afterInsert).toEqual(SPARK_CORE_ROWS.afterInsert);
  expect(run.afterMerge).toEqual(SPARK_CORE_ROWS.afterMerge);
  expect(run.versionAsOf).toEqual(SPARK_CORE_ROWS.firstSnapshotAmounts);
  expect(run.tablesAfterDrop).toEqual([]);
}

describe.skipIf(!moto || !clients)(`Spark 3.5 with STS-vended credentials on ${backend}`, () => {
  let catalog: InteropCatalog;
  let dropBucket: (() => Promise<void>) | undefined;
  let run: SparkRun;
  beforeAll(async () => {
    let bucket: string;
    ({ bucket, drop: dropBucket } = await createTestBucket(moto!, 'sparksts'));
    catalog = await startInteropCatalog(backend, { s3: { s3: moto!, bucket } });
    const patched = await catalog.platform.call('PATCH', '/api/v1/warehouses/wh', {
      token: await catalog.platform.adminToken(),
      body: { credentialVending: 'sts', sts: { roleArn: 'arn:aws:iam::123456789012:role/lakeplane-vending', endpoint: moto!.endpoint } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    run = await runSpark(catalog, 'interop_spark_sts');
  }, 600_000);
  afterAll(async () => {
    await catalog?.close();
    await dropBucket?.();
  });

  it("S3FileIO gets temporary credentials (with a session token), never the warehouse's keys, and round-trips", () => {
    expect(run.fileIO.properties).toEqual(expect.arrayContaining(['s3.access-key-id', 's3.secret-access-key', 's3.session-token']));
    expectRoundTrip(run);
  });
});

describe.skipIf(!s3sBin || !clients)(`Spark 3.5 with remote signing on ${backend}`, () => {
  let s3: S3sFs;
  let catalog: InteropCatalog;
  let run: SparkRun;
  beforeAll(async () => {
    s3 = await startS3sFs(s3sBin!);
    await s3.createBucket('lake');
    const client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    catalog = await startInteropCatalog(backend, { s3: { s3: { ...s3, client }, bucket: 'lake' } });
    const patched = await catalog.platform.call('PATCH', '/api/v1/warehouses/wh', {
      token: await catalog.platform.adminToken(),
      body: { credentialVending: 'none', remoteSigning: true },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    // DROP without PURGE: the server-side purge cannot empty a prefix on s3s-fs (a HEAD of a folder answers 500).
    // expire_snapshots still deletes files through the signer.
    run = await runSpark(catalog, 'interop_spark_sign', { 'header.X-Iceberg-Access-Delegation': 'remote-signing' }, true);
  }, 600_000);
  afterAll(async () => {
    await catalog?.close();
    await s3?.stop();
  });

  it('S3FileIO signs through the catalog, holds no key, and round-trips', () => {
    expect(run.fileIO.properties).toEqual(expect.arrayContaining(['s3.remote-signing-enabled', 's3.signer.endpoint']));
    expect(run.fileIO.properties).not.toContain('s3.access-key-id');
    expectRoundTrip(run);
  });
});
