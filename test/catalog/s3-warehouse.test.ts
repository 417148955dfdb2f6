import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../../shared/json/index.js';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA, appendSnapshot, bigSnapshotId } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { createTestBucket, listKeys, testS3, keysForCatalog, storageOf } from '../support/s3.js';

/**
 * A warehouse on a real S3-compatible server (moto on loopback in CI, scripts/start-s3.sh), through real HTTP: the
 * catalog writes and reads its metadata files in the bucket with credentials it finds through credentialsRef, tells
 * clients how to reach the bucket, vends the credentials when asked to, and purges a table's objects and no others.
 */
const s3 = testS3('the S3 warehouse suite (test/catalog/s3-warehouse.test.ts)');
/** credentialsRef env:LAKEPLANE_TEST_S3 reads these two from the catalog's environment (this process). */
const REF = 'LAKEPLANE_TEST_S3';

describe.skipIf(!s3)('a warehouse on S3', () => {
  describe.each(backends())('on %s', (backend) => {
    const server = s3!;
    let p: TestPlatform;
    let admin: string;
    let ice: IcebergClient;
    let bucket: string;
    let dropBucket: () => Promise<void>;
    let warehouseLocation: string;

    const getObject = async (location: string) => {
      const key = location.slice(`s3://${bucket}/`.length);
      const out = await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body!.transformToString('utf8');
    };
    const putObject = (key: string, body: string) => server.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const keysUnder = (location: string) => listKeys(server, bucket, `${location.slice(`s3://${bucket}/`.length).replace(/\/+$/, '')}/`);

    async function createTable(namespace: string, name: string, extra: Record<string, unknown> = {}) {
      const r = await ice.call('POST', `/v1/{prefix}/namespaces/${namespace}/tables`, { name, schema: SAMPLE_SCHEMA, ...extra });
      expect(r.status, r.text).toBe(200);
      return r;
    }

    beforeAll(async () => {
      ({ bucket, drop: dropBucket } = await createTestBucket(server, `wh-${backend}`));
      warehouseLocation = `s3://${bucket}/warehouse`;
      keysForCatalog(REF, server.credentials);
      p = await startPlatform(backend);
      admin = await p.adminToken();
      const wh = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: { name: 's3wh', storageLocation: warehouseLocation, storage: storageOf(server), credentialsRef: `env:${REF}` },
      });
      expect(wh.status, JSON.stringify(wh.body)).toBe(201);
      expect(wh.body).toMatchObject({ storageLocation: warehouseLocation, credentialsRef: `env:${REF}`, credentialVending: 'none' });
      expect(JSON.stringify(wh.body)).not.toContain(server.credentials.secretAccessKey);
      ice = new IcebergClient(p, admin, 's3wh');
    });
    afterAll(async () => {
      await p?.close();
      await dropBucket?.();
    });

    it('createTable writes the metadata file into the bucket', async () => {
      expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['db'] })).status).toBe(200);
      const created = await createTable('db', 'events', { properties: { owner: 'ada' } });
      const metadataLocation: string = created.body['metadata-location'];
      expect(created.body.metadata.location.startsWith(`${warehouseLocation}/db/events-`)).toBe(true);
      expect(metadataLocation).toMatch(new RegExp(`^s3://${bucket}/warehouse/db/events-[0-9a-f]{32}/metadata/00000-[0-9a-f-]{36}\\.metadata\\.json$`));
      expect(parseJsonLossless(await getObject(metadataLocation))).toEqual(created.body.metadata);
      expect(await keysUnder(created.body.metadata.location)).toEqual([metadataLocation.slice(`s3://${bucket}/`.length)]);
    });

    it('a commit writes the next metadata file into the bucket, and loadTable serves it', async () => {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['commits'] });
      const created = await createTable('commits', 't');
      const tableLocation: string = created.body.metadata.location;
      const s1 = bigSnapshotId();
      const commit = await ice.call('POST', '/v1/{prefix}/namespaces/commits/tables/t', {
        requirements: [
          { type: 'assert-table-uuid', uuid: created.body.metadata['table-uuid'] },
          { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
        ],
        updates: [
          { action: 'add-snapshot', snapshot: appendSnapshot(s1, null, 1, tableLocation) },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': s1 },
        ],
      });
      expect(commit.status, commit.text).toBe(200);
      const second: string = commit.body['metadata-location'];
      expect(second).toMatch(/\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);
      const onS3 = parseJsonLossless(await getObject(second)) as Record<string, unknown>;
      expect(onS3).toEqual(commit.body.metadata);
      expect(onS3['current-snapshot-id']).toBe(s1);
      expect((await keysUnder(tableLocation)).length).toBe(2);

      const loaded = await ice.call('GET', '/v1/{prefix}/namespaces/commits/tables/t');
      expect(loaded.status).toBe(200);
      expect(loaded.body['metadata-location']).toBe(second);
      expect(loaded.body.metadata['current-snapshot-id']).toBe(s1);
    });

    it('loadTable tells clients the endpoint, region and path style, and no secret while vending is none', async () => {
      const loaded = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events');
      expect(loaded.status).toBe(200);
      expect(loaded.body.config).toEqual({ 's3.endpoint': server.endpoint, 'client.region': server.region, 's3.path-style-access': 'true' });
      expect(loaded.body['storage-credentials']).toBeUndefined();
      expect(loaded.text).not.toContain(server.credentials.secretAccessKey);
      const creds = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events/credentials');
      expect(creds.status).toBe(200);
      expect(creds.body).toEqual({ 'storage-credentials': [] });
    });

    it('static vending, switched on with PATCH: loadTable and the credentials endpoint carry the keys for the warehouse', async () => {
      const patched = await p.call('PATCH', '/api/v1/warehouses/s3wh', { token: admin, body: { credentialVending: 'static' } });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.credentialVending).toBe('static');
      expect(JSON.stringify(patched.body)).not.toContain(server.credentials.secretAccessKey);
      try {
        const expected = {
          's3.endpoint': server.endpoint,
          'client.region': server.region,
          's3.path-style-access': 'true',
          's3.access-key-id': server.credentials.accessKeyId,
          's3.secret-access-key': server.credentials.secretAccessKey,
        };
        const loaded = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events', undefined, { 'x-iceberg-access-delegation': 'vended-credentials' });
        expect(loaded.status).toBe(200);
        expect(loaded.body.config).toEqual(expected);
        expect(loaded.body['storage-credentials']).toEqual([{ prefix: warehouseLocation, config: expected }]);
        const creds = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events/credentials');
        expect(creds.status).toBe(200);
        expect(creds.body).toEqual({ 'storage-credentials': [{ prefix: warehouseLocation, config: expected }] });
        // Every table's file is under the vended prefix.
        expect(loaded.body['metadata-location'].startsWith(`${warehouseLocation}/`)).toBe(true);
      } finally {
        const back = await p.call('PATCH', '/api/v1/warehouses/s3wh', { token: admin, body: { credentialVending: 'none' } });
        expect(back.status).toBe(200);
      }
      const after = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events');
      expect(after.body.config['s3.secret-access-key']).toBeUndefined();
      expect(after.body['storage-credentials']).toBeUndefined();
    });

    it("purge deletes the table's objects in the bucket and leaves a table under a similar prefix", async () => {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['purge'] });
      const t1 = await createTable('purge', 't1', { location: `${warehouseLocation}/purge/t1` });
      const t10 = await createTable('purge', 't10', { location: `${warehouseLocation}/purge/t10` });
      expect(t1.body.metadata.location).toBe(`${warehouseLocation}/purge/t1`);
      const c = await ice.call('POST', '/v1/{prefix}/namespaces/purge/tables/t1', {
        requirements: [],
        updates: [{ action: 'set-properties', updates: { a: 'b' } }],
      });
      expect(c.status).toBe(200);
      // Data files as a writer (Spark, PyIceberg) would put them beside the metadata.
      await putObject('warehouse/purge/t1/data/part-0.parquet', 'x');
      await putObject('warehouse/purge/t10/data/part-0.parquet', 'x');
      await putObject('warehouse/purge/t1.txt', 'a neighbour that is no table');
      expect(await keysUnder(`${warehouseLocation}/purge/t1`)).toHaveLength(3);
      const t10Keys = await keysUnder(`${warehouseLocation}/purge/t10`);
      expect(t10Keys).toHaveLength(2);

      const purged = await ice.call('DELETE', '/v1/{prefix}/namespaces/purge/tables/t1?purgeRequested=true');
      expect(purged.status).toBe(204);
      expect(await keysUnder(`${warehouseLocation}/purge/t1`)).toEqual([]);
      expect(await keysUnder(`${warehouseLocation}/purge/t10`)).toEqual(t10Keys);
      expect(await listKeys(server, bucket, 'warehouse/purge/t1.txt')).toEqual(['warehouse/purge/t1.txt']);
      const survivor = await ice.call('GET', '/v1/{prefix}/namespaces/purge/tables/t10');
      expect(survivor.status).toBe(200);
      expect(survivor.body['metadata-location']).toBe(t10.body['metadata-location']);

      // A drop without purge leaves the objects.
      expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/purge/tables/t10')).status).toBe(204);
      expect(await keysUnder(`${warehouseLocation}/purge/t10`)).toEqual(t10Keys);
    });

    it('refuses a table location outside the warehouse, even one that shares its prefix', async () => {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['outside'] });
      for (const location of [`s3://${bucket}/warehouse10/t`, `s3://${bucket}/other/t`, `s3://${bucket}-other/warehouse/t`]) {
        const r = await ice.call('POST', '/v1/{prefix}/namespaces/outside/tables', { name: 't', schema: SAMPLE_SCHEMA, location });
        expect(r.status, location).toBe(403);
        expect(r.body.error.message).toContain('outside warehouse');
      }
      expect(await listKeys(server, bucket, 'warehouse10/')).toEqual([]);
    });

    it('a table whose metadata object was deleted from the bucket is reported, not served', async () => {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['broken'] });
      const created = await createTable('broken', 't');
      const location: string = created.body['metadata-location'];
      await server.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: location.slice(`s3://${bucket}/`.length) }));
      const r = await ice.call('GET', '/v1/{prefix}/namespaces/broken/tables/t');
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ type: 'NotFoundException', message: `Failed to open input stream for file: ${location}` });
    });

    it('registers a table from a metadata object in the bucket', async () => {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['reg'] });
      const created = await createTable('reg', 'src');
      expect((await ice.call('POST', '/v1/{prefix}/namespaces/reg/tables/src/unregister')).status).toBe(200);
      const registered = await ice.call('POST', '/v1/{prefix}/namespaces/reg/register', {
        name: 'copy',
        'metadata-location': created.body['metadata-location'],
      });
      expect(registered.status, registered.text).toBe(200);
      expect(registered.body.metadata['table-uuid']).toBe(created.body.metadata['table-uuid']);
      const absent = await ice.call('POST', '/v1/{prefix}/namespaces/reg/register', {
        name: 'absent',
        'metadata-location': `${warehouseLocation}/reg/nope.metadata.json`,
      });
      expect(absent.status).toBe(400);
    });

    it('writes view metadata into the bucket', async () => {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['v'] });
      const created = await ice.call('POST', '/v1/{prefix}/namespaces/v/views', {
        name: 'daily',
        schema: SAMPLE_SCHEMA,
        properties: {},
        'view-version': {
          'version-id': 1,
          'timestamp-ms': Date.now(),
          'schema-id': 0,
          summary: {},
          representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
          'default-namespace': ['v'],
        },
      });
      expect(created.status, created.text).toBe(200);
      expect(created.body['metadata-location'].startsWith(`${warehouseLocation}/v/daily-`)).toBe(true);
      expect(parseJsonLossless(await getObject(created.body['metadata-location']))).toEqual(created.body.metadata);
    });

    it('refuses a credentialsRef whose variables are not set, at creation and at update, naming credentialsRef', async () => {
      const missing = 'env:LAKEPLANE_TEST_S3_NOT_SET';
      delete process.env['LAKEPLANE_TEST_S3_NOT_SET_ACCESS_KEY_ID'];
      delete process.env['LAKEPLANE_TEST_S3_NOT_SET_SECRET_ACCESS_KEY'];
      const created = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: {
          name: 's3-unset',
          storageLocation: `s3://${bucket}/unset`,
          storage: { endpoint: server.endpoint, pathStyleAccess: true },
          credentialsRef: missing,
        },
      });
      expect(created.status).toBe(400);
      expect(created.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'credentialsRef' })]);
      expect(created.body.errors[0].message).toContain('LAKEPLANE_TEST_S3_NOT_SET_ACCESS_KEY_ID');
      expect((await p.call('GET', '/api/v1/warehouses/s3-unset', { token: admin })).status).toBe(404);

      const patched = await p.call('PATCH', '/api/v1/warehouses/s3wh', { token: admin, body: { credentialsRef: missing } });
      expect(patched.status).toBe(400);
      expect(patched.body.errors).toEqual([expect.objectContaining({ field: 'credentialsRef' })]);
      expect((await p.call('GET', '/api/v1/warehouses/s3wh', { token: admin })).body.credentialsRef).toBe(`env:${REF}`);
    });
  });
});
