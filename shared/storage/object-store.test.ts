import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTestBucket, listKeys, testS3 } from '../../test/support/s3.js';
import { objectStoreCases } from './object-store.cases.js';
import { LocalObjectStore } from './local-object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

objectStoreCases('LocalObjectStore (file:)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lakeplane-store-'));
  return {
    store: new LocalObjectStore(),
    root: pathToFileURL(dir).href,
    // Java (Iceberg, Spark) writes file:/x; URLs are file:///x.
    aliases: (location) => [location.replace(/^file:\/\/\//, 'file:/')],
    list: (location) => filesUnder(fileURLToPath(location)),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

const s3 = testS3('the S3ObjectStore cases (shared/storage/object-store.test.ts)');
if (s3) {
  objectStoreCases(`S3ObjectStore (s3:, at ${s3.endpoint})`, async () => {
    const { bucket, drop } = await createTestBucket(s3, 'store');
    const store = new S3ObjectStore({ region: s3.region, endpoint: s3.endpoint, pathStyleAccess: true, credentials: s3.credentials });
    const root = `s3://${bucket}/cases-${randomBytes(3).toString('hex')}`;
    return {
      store,
      root,
      // Hadoop's S3A spelling names the same object.
      aliases: (location) => [location.replace(/^s3:/, 's3a:')],
      list: async (location) => {
        const prefix = `${location.slice(`s3://${bucket}/`.length)}/`;
        return (await listKeys(s3, bucket, prefix)).map((k) => k.slice(prefix.length));
      },
      close: async () => {
        store.close();
        await drop();
      },
    };
  });
}
