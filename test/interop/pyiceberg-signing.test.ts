import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { findS3sFs, startS3sFs, type S3sFs } from '../support/s3s-fs.js';
import { INSTALL_HINT, findInteropPython, runClientScript, startInteropCatalog, withoutAwsEnvironment, type InteropCatalog } from './interop.js';

/**
 * PyIceberg, unchanged, with remote signing (header.X-Iceberg-Access-Delegation=remote-signing in its catalog
 * properties) against s3s-fs, whose keys only the catalog holds: every S3 request PyIceberg makes reaches the
 * server only with a signature Lakeplane made for that table. It creates, appends, evolves, reads and purges (the
 * same pyiceberg_s3_roundtrip.py as the static and STS suites).
 *
 * PYICEBERG_MAX_WORKERS=1: with several scan threads, PyIceberg 0.12's fsspec FileIO now and then sends a data file's
 * HeadObject without calling its signer at all (s3s-fs answers 403; the signer never saw the request), a client-side
 * race between thread-local S3 file systems; one worker thread reads everything signed.
 */
const bin = findS3sFs('the PyIceberg remote signing suite (test/interop/pyiceberg-signing.test.ts)');
const python = findInteropPython(['pyiceberg', 'pyarrow', 's3fs']);
if (!python.ok) missingPrerequisite('the PyIceberg remote signing suite', `${python.why}; ${INSTALL_HINT}`);
const SCRIPT = path.join(import.meta.dirname, 'pyiceberg_s3_roundtrip.py');

interface RoundTrip {
  location: string;
  ioOfCreate: Record<string, string>;
  ioOfLoad: Record<string, string>;
  fileIO: string;
  afterFirstAppend: Array<{ id: number }>;
  afterSecondAppend: Array<{ id: number; age?: number | null }>;
  atFirstSnapshot: Array<{ id: number }>;
  dataFiles: string[];
  tablesAfterPurge: string[];
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe.skipIf(!bin || !python.ok).each(backends())('PyIceberg with remote signing on %s', (backend) => {
  let s3: S3sFs;
  let catalog: InteropCatalog;
  let run: RoundTrip;
  let signed = 0;
  const bucket = 'lake';

  beforeAll(async () => {
    s3 = await startS3sFs(bin!);
    await s3.createBucket(bucket);
    const client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    catalog = await startInteropCatalog(backend, { s3: { s3: { ...s3, client }, bucket } });
    const admin = await catalog.platform.adminToken();
    const patched = await catalog.platform.call('PATCH', '/api/v1/warehouses/wh', { token: admin, body: { credentialVending: 'none', remoteSigning: true } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    ({ result: run } = await runClientScript<RoundTrip>(
      python.ok ? python.value : '',
      SCRIPT,
      { ...catalog.connection, namespace: 'interop_py_sign', headers: { 'X-Iceberg-Access-Delegation': 'remote-signing' } },
      { timeoutMs: 180_000, env: { ...withoutAwsEnvironment(), PYICEBERG_MAX_WORKERS: '1' } },
    ));
    const metrics = await (await fetch(`${catalog.platform.url}/metrics`)).text();
    signed = [
      ...metrics.matchAll(
        /lakeplane_http_request_duration_seconds_count\{[^}]*route="\/iceberg\/v1\/:prefix\/namespaces\/:namespace\/tables\/:table\/sign"[^}]*status="200"\} (\d+)/g,
      ),
    ].reduce((n, m) => n + Number(m[1]), 0);
  }, 240_000);
  afterAll(async () => {
    await catalog?.close();
    await s3?.stop();
  });

  it("is told to sign through the table's signer endpoint, and never gets a key", () => {
    for (const io of [run.ioOfCreate, run.ioOfLoad]) {
      expect(io).toMatchObject({
        's3.remote-signing-enabled': 'true',
        's3.signer': 'S3V4RestSigner',
        's3.endpoint': s3.endpoint,
        'py-io-impl': 'pyiceberg.io.fsspec.FsspecFileIO',
      });
      expect(io['s3.signer.endpoint']).toBe('v1/wh/namespaces/interop_py_sign/tables/people/sign');
      expect(io['s3.access-key-id']).toBeUndefined();
      expect(io['s3.secret-access-key']).toBeUndefined();
    }
    expect(run.fileIO).toBe('FsspecFileIO');
  });

  it('writes, evolves, reads back (time travel too) and purges, every S3 request signed by the catalog', async () => {
    expect(run.afterFirstAppend.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(run.afterSecondAppend.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(run.atFirstSnapshot.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(run.dataFiles).toHaveLength(2);
    expect(run.tablesAfterPurge).toEqual([]);
    // The files themselves stay: the purge is the server's (purgeRequested), and s3s-fs, being a directory tree,
    // answers a HEAD of the table's folder with 500, so the purge worker keeps retrying it (the moto suites check
    // that the purge empties the prefix). What the client wrote is all there, under the table's location only.
    const files = await filesUnder(path.join(s3.root, bucket));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f.startsWith(path.join(s3.root, bucket, run.location.slice(`s3://${bucket}/`.length)) + path.sep), f).toBe(true);
    // The client's requests went through the signer (s3s-fs accepts no other signature).
    expect(signed).toBeGreaterThan(5);
  });
});
