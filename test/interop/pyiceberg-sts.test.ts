import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { createTestBucket, listKeys, testS3 } from '../support/s3.js';
import { INSTALL_HINT, findInteropPython, runClientScript, startInteropCatalog, withoutAwsEnvironment, type InteropCatalog } from './interop.js';

/**
 * PyIceberg, unchanged, against an S3 warehouse that vends STS credentials (credentialVending sts, moto's STS): the
 * client never sees the warehouse's keys, only short-lived ones scoped to the table, and still creates, appends,
 * evolves, reads and purges (the same pyiceberg_s3_roundtrip.py as the static suite).
 */
const s3 = testS3('the PyIceberg STS vending suite (test/interop/pyiceberg-sts.test.ts)');
const python = findInteropPython(['pyiceberg', 'pyarrow']);
if (!python.ok) missingPrerequisite('the PyIceberg STS vending suite', `${python.why}; ${INSTALL_HINT}`);
const SCRIPT = path.join(import.meta.dirname, 'pyiceberg_s3_roundtrip.py');

interface RoundTrip {
  location: string;
  ioOfCreate: Record<string, string>;
  ioOfLoad: Record<string, string>;
  afterFirstAppend: Array<{ id: number }>;
  afterSecondAppend: Array<{ id: number; age?: number | null }>;
  dataFiles: string[];
  tablesAfterPurge: string[];
}

describe.skipIf(!s3 || !python.ok).each(backends())('PyIceberg with STS-vended credentials on %s', (backend) => {
  const server = s3!;
  let catalog: InteropCatalog;
  let bucket: string;
  let dropBucket: (() => Promise<void>) | undefined;
  let run: RoundTrip;
  let keysAfterPurge: string[];

  beforeAll(async () => {
    ({ bucket, drop: dropBucket } = await createTestBucket(server, `pysts-${backend}`));
    catalog = await startInteropCatalog(backend, { s3: { s3: server, bucket } });
    const admin = await catalog.platform.adminToken();
    const patched = await catalog.platform.call('PATCH', '/api/v1/warehouses/wh', {
      token: admin,
      body: { credentialVending: 'sts', sts: { roleArn: 'arn:aws:iam::123456789012:role/lakeplane-vending', endpoint: server.endpoint } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    ({ result: run } = await runClientScript<RoundTrip>(
      python.ok ? python.value : '',
      SCRIPT,
      { ...catalog.connection, namespace: 'interop_py_sts' },
      { timeoutMs: 180_000, env: withoutAwsEnvironment() },
    ));
    keysAfterPurge = await listKeys(server, bucket, `${run.location.slice(`s3://${bucket}/`.length)}/`);
  }, 240_000);
  afterAll(async () => {
    await catalog?.close();
    await dropBucket?.();
  });

  it("gets temporary credentials, never the warehouse's keys, on create and on load", () => {
    for (const io of [run.ioOfCreate, run.ioOfLoad]) {
      expect(io['s3.endpoint']).toBe(server.endpoint);
      expect(io['s3.access-key-id']).toBeTruthy();
      expect(io['s3.access-key-id']).not.toBe(server.credentials.accessKeyId);
      expect(io['s3.session-token']).toBeTruthy();
    }
  });

  it('writes, evolves, reads back and purges through them', () => {
    expect(run.afterFirstAppend.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(run.afterSecondAppend.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(run.dataFiles).toHaveLength(2);
    expect(run.tablesAfterPurge).toEqual([]);
    expect(keysAfterPurge).toEqual([]);
  });
});
