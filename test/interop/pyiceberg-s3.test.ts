import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { createTestBucket, listKeys, testS3 } from '../support/s3.js';
import { INSTALL_HINT, findInteropPython, runClientScript, startInteropCatalog, withoutAwsEnvironment, type InteropCatalog } from './interop.js';

/**
 * PyIceberg, unchanged, against our catalog with the warehouse on S3 (moto on loopback in CI, scripts/start-s3.sh)
 * and static credential vending. The client is configured with the catalog only, and runs without any AWS_* variable:
 * endpoint, region and keys reach PyArrow's S3 file system through loadTable's `config` and `storage-credentials`.
 * It creates, appends, reads, evolves, appends and reads again, then stops at a checkpoint while this test lists the
 * bucket with the SDK, then purges (the server deletes the objects). pyiceberg_s3_roundtrip.py; about 3 s a backend.
 */
const s3 = testS3('the PyIceberg S3 interop suite (test/interop/pyiceberg-s3.test.ts)');
const python = findInteropPython(['pyiceberg', 'pyarrow']);
if (!python.ok) missingPrerequisite('the PyIceberg S3 interop suite', `${python.why}; ${INSTALL_HINT}`);
const SCRIPT = path.join(import.meta.dirname, 'pyiceberg_s3_roundtrip.py');

type Row = { id: number; name: string; age?: number | null };
interface RoundTrip {
  catalogProperties: string[];
  location: string;
  ioOfCreate: Record<string, string>;
  ioOfLoad: Record<string, string>;
  afterFirstAppend: Row[];
  schemaAfterEvolution: Array<{ id: number; name: string; type: string }>;
  afterSecondAppend: Row[];
  atFirstSnapshot: Row[];
  snapshots: number;
  metadataLocation: string;
  dataFiles: string[];
  manifestLists: string[];
  manifests: string[];
  metadataLog: string[];
  tablesAfterPurge: string[];
  namespacesAfterDrop: string[][];
}

describe.skipIf(!s3 || !python.ok).each(backends())('PyIceberg against the catalog with an S3 warehouse (vended credentials) on %s', (backend) => {
  const server = s3!;
  let catalog: InteropCatalog;
  let bucket: string;
  let dropBucket: (() => Promise<void>) | undefined;
  let run: RoundTrip;
  /** What the bucket held under the table's location at the checkpoint, and after the run. */
  let keysWritten: string[];
  let keysAfterPurge: string[];
  const keyOf = (location: string) => location.slice(`s3://${bucket}/`.length);
  const keysUnder = (location: string) => listKeys(server, bucket, `${keyOf(location).replace(/\/+$/, '')}/`);

  beforeAll(async () => {
    ({ bucket, drop: dropBucket } = await createTestBucket(server, `py-${backend}`));
    catalog = await startInteropCatalog(backend, { s3: { s3: server, bucket } });
    const { result } = await runClientScript<RoundTrip>(
      python.ok ? python.value : '',
      SCRIPT,
      { ...catalog.connection, namespace: 'interop_py_s3', checkpoints: true },
      {
        timeoutMs: 180_000,
        env: withoutAwsEnvironment(),
        checkpoint: async (name, data) => {
          expect(name).toBe('written');
          keysWritten = await keysUnder(String(data['location']));
        },
      },
    );
    run = result;
    keysAfterPurge = await keysUnder(run.location);
  }, 240_000);
  afterAll(async () => {
    await catalog?.close();
    await dropBucket?.();
  });

  it('gets endpoint, region, path style and the keys from the catalog, on create and on load', () => {
    expect(run.catalogProperties).toEqual([]);
    const expected = {
      's3.endpoint': server.endpoint,
      'client.region': server.region,
      's3.path-style-access': 'true',
      's3.access-key-id': server.credentials.accessKeyId,
      's3.secret-access-key': `sha256:${createHash('sha256').update(server.credentials.secretAccessKey).digest('hex')}`,
    };
    expect(run.ioOfCreate).toEqual(expected);
    expect(run.ioOfLoad).toEqual(expected);
  });

  it('creates the table in the bucket, appends a PyArrow table and reads it back', () => {
    expect(run.location.startsWith(`${catalog.storageLocation}/interop_py_s3/people`)).toBe(true);
    expect(run.afterFirstAppend).toEqual([
      { id: 1, name: 'ada' },
      { id: 2, name: 'grace' },
      { id: 3, name: 'linus' },
    ]);
  });

  it('adds a column, appends again, reads old rows with nulls and the first snapshot as it was', () => {
    expect(run.schemaAfterEvolution).toEqual([
      { id: 1, name: 'id', type: 'long' },
      { id: 2, name: 'name', type: 'string' },
      { id: 3, name: 'age', type: 'int' },
    ]);
    expect(run.afterSecondAppend).toEqual([
      { id: 1, name: 'ada', age: null },
      { id: 2, name: 'grace', age: null },
      { id: 3, name: 'linus', age: null },
      { id: 4, name: 'barbara', age: 36 },
      { id: 5, name: 'edsger', age: 72 },
    ]);
    expect(run.atFirstSnapshot.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(run.snapshots).toBe(2);
  });

  it("the bucket holds exactly the table's files under its location: data files, manifests, manifest lists, metadata", () => {
    expect(run.dataFiles).toHaveLength(2);
    expect(run.dataFiles.every((f) => f.endsWith('.parquet'))).toBe(true);
    // Fast appends: the second snapshot keeps the first's manifest and adds one.
    expect(run.manifests).toHaveLength(2);
    expect(run.manifestLists).toHaveLength(2);
    // Written by the catalog: create, the two appends, the schema change.
    const metadataFiles = [...run.metadataLog, run.metadataLocation];
    expect(metadataFiles).toHaveLength(4);
    const files = [...run.dataFiles, ...run.manifests, ...run.manifestLists, ...metadataFiles];
    for (const file of files) expect(file.startsWith(`${run.location}/`), file).toBe(true);
    expect(keysWritten).toEqual(files.map(keyOf).sort());
  });

  it('purge_table deletes every object of the table; the namespace drops', () => {
    expect(run.tablesAfterPurge).toEqual([]);
    expect(run.namespacesAfterDrop).toEqual([]);
    expect(keysAfterPurge).toEqual([]);
  });
});
