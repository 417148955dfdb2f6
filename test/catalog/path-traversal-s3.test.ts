import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLossless, stringifyJsonLossless } from '../../shared/json/index.js';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { createTestBucket, listKeys, testS3, keysForCatalog, storageOf } from '../support/s3.js';

/**
 * Issue 19, path traversal, on a real S3-compatible server: a warehouse at s3://bucket/warehouse, canaries at
 * outside/canary and warehouse-evil/canary in the same bucket. No location may make the catalog write a key
 * outside warehouse/ (or one with a dot segment that a decoding reader would fold), read one, or delete one.
 */
const s3 = testS3('the S3 path traversal suite (test/catalog/path-traversal-s3.test.ts)');
const REF = 'LAKEPLANE_TEST_S3_TRAVERSAL';

describe.skipIf(!s3)('S3 keys stay inside the warehouse', () => {
  describe.each(backends())('on %s', (backend) => {
    const server = s3!;
    let p: TestPlatform;
    let ice: IcebergClient;
    let bucket: string;
    let dropBucket: () => Promise<void>;
    let wh: string;
    let before: Record<string, string>;

    const read = async (key: string) => (await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString('utf8');
    /** Every key outside warehouse/ with its content, and every key at all that has a dot segment. */
    async function outsideWarehouse(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const key of await listKeys(server, bucket, '')) {
        if (!key.startsWith('warehouse/')) out[key] = await read(key);
        else if (/(^|\/)(\.|\.\.|%2e|%2e%2e|\.%2e|%2e\.)(\/|$)/i.test(key)) out[key] = 'a key with a dot segment';
      }
      return out;
    }

    beforeAll(async () => {
      ({ bucket, drop: dropBucket } = await createTestBucket(server, `trav-${backend}`));
      wh = `s3://${bucket}/warehouse`;
      keysForCatalog(REF, server.credentials);
      p = await startPlatform(backend);
      const admin = await p.adminToken();
      const storage = storageOf(server);
      expect(
        (await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 's3t', storageLocation: wh, storage, credentialsRef: `env:${REF}` } }))
          .status,
      ).toBe(201);
      ice = new IcebergClient(p, admin, 's3t');
      expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['db'] })).status).toBe(200);
      const source = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'source', schema: SAMPLE_SCHEMA });
      expect(source.status, source.text).toBe(200);
      await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'outside/canary', Body: 'must stay' }));
      await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'warehouse-evil/canary', Body: 'must stay too' }));
      await server.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'outside/stolen.metadata.json',
          Body: stringifyJsonLossless({ ...(source.body.metadata as object), 'table-uuid': crypto.randomUUID() }),
        }),
      );
      before = await outsideWarehouse();
    });
    afterEach(async () => {
      expect(await outsideWarehouse()).toEqual(before);
    });
    afterAll(async () => {
      await p?.close();
      await dropBucket?.();
    });

    it('createTable refuses "..", %2e%2e and encoded separators with 400, and other buckets or prefixes with 403', async () => {
      const cases: Array<[string, 400 | 403]> = [
        [`${wh}/../outside/t`, 400],
        [`${wh}/%2e%2e/outside/t`, 400],
        [`${wh}/db/%2E%2E/%2E%2E/outside/t`, 400],
        [`${wh}/t%2F..%2F..%2Foutside`, 400],
        [`${wh}/t\\..\\outside`, 400],
        [`${wh}/t%00`, 400],
        [`s3://${bucket}/warehouse-evil/t`, 403],
        [`s3a://${bucket}/warehouse-evil/t`, 403],
        [`s3://${bucket}//warehouse/t`, 403],
        [`s3://other-${bucket}/warehouse/t`, 403],
      ];
      for (const [location, status] of cases) {
        for (const stage of [false, true]) {
          const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'evil', schema: SAMPLE_SCHEMA, location, 'stage-create': stage });
          expect(r.status, `${location}: ${r.text}`).toBe(status);
          expect(r.body.error.message).toMatch(/location/);
        }
      }
    });

    it('path properties and namespace locations are checked the same way', async () => {
      const created = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', {
        name: 'props',
        schema: SAMPLE_SCHEMA,
        properties: { 'write.metadata.path': `${wh}/../outside/meta` },
      });
      expect(created.status, created.text).toBe(400);
      const placed = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['placed'], properties: { location: `${wh}/%2e%2e/outside` } });
      expect(placed.status, placed.text).toBe(400);
      expect(placed.body.error.message).toMatch(/properties\.location/);
    });

    it('register never reads a key outside the warehouse', async () => {
      for (const [location, status] of [
        [`${wh}/../outside/stolen.metadata.json`, 400],
        [`${wh}/%2e%2e/outside/stolen.metadata.json`, 400],
        [`s3://${bucket}/outside/stolen.metadata.json`, 403],
      ] as const) {
        const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/register', { name: 'stolen', 'metadata-location': location });
        expect(r.status, `${location}: ${r.text}`).toBe(status);
        expect(r.body.error.message).toMatch(/metadata-location/);
      }
    });

    it('a purge of a table stored before the checks never deletes keys outside the warehouse', async () => {
      const t = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'legacy', schema: SAMPLE_SCHEMA });
      expect(t.status, t.text).toBe(200);
      const db = p.running.platform.store.db;
      const row = await db.selectFrom('catalog_objects').select(['id', 'metadata']).where('id', '=', t.body.metadata['table-uuid']).executeTakeFirstOrThrow();
      const metadata = parseJsonLossless(row.metadata) as { properties: Record<string, string> };
      metadata.properties['write.data.path'] = `${wh}/../outside`;
      await db
        .updateTable('catalog_objects')
        .set({ metadata: stringifyJsonLossless(metadata) })
        .where('id', '=', row.id)
        .execute();
      expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/db/tables/legacy?purgeRequested=true')).status).toBe(204);
      const tableKeys = (t.body.metadata.location as string).slice(`s3://${bucket}/`.length);
      expect(await listKeys(server, bucket, `${tableKeys}/`)).toEqual([]);
    });
  });
});
