import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDuePurges } from '../../functions/catalog/handlers/purge-tasks.js';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { createTestBucket, listKeys, testS3, keysForCatalog, storageOf } from '../support/s3.js';

/**
 * A purge whose storage is down when the drop commits: the drop stands (204), the files are owed, not forgotten,
 * and they go once the storage answers again. The warehouse cannot be deleted while it owes a purge.
 */
const s3 = testS3('the purge retry suite (test/catalog/purge-retry.test.ts)');
const REF = 'LAKEPLANE_TEST_S3_PURGE';

describe.skipIf(!s3)('purges owed while storage is down', () => {
  describe.each(backends())('on %s', (backend) => {
    const server = s3!;
    let p: TestPlatform;
    let admin: string;
    let bucket: string;
    let dropBucket: () => Promise<void>;

    beforeAll(async () => {
      ({ bucket, drop: dropBucket } = await createTestBucket(server, `purge-${backend}`));
      keysForCatalog(REF, server.credentials);
      p = await startPlatform(backend);
      admin = await p.adminToken();
    });
    afterAll(async () => {
      await p?.close();
      await dropBucket?.();
    });

    it('answers the drop, keeps the purge, and finishes it when storage is back', async () => {
      const storage = storageOf(server);
      expect(
        (
          await p.call('POST', '/api/v1/warehouses', {
            token: admin,
            body: { name: 'pw', storageLocation: `s3://${bucket}/wh`, storage, credentialsRef: `env:${REF}` },
          })
        ).status,
      ).toBe(201);
      const ice = new IcebergClient(p, admin, 'pw');
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['ns'] });
      const created = await ice.call('POST', '/v1/{prefix}/namespaces/ns/tables', { name: 't', schema: SAMPLE_SCHEMA });
      const prefix = (created.body.metadata.location as string).slice(`s3://${bucket}/`.length);
      expect(await listKeys(server, bucket, prefix)).toHaveLength(1);

      // Storage goes away (a dead endpoint), the drop still answers 204 and the table is gone.
      await p.call('PATCH', '/api/v1/warehouses/pw', { token: admin, body: { storage: { ...storage, endpoint: 'http://127.0.0.1:9' } } });
      expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/ns/tables/t?purgeRequested=true')).status).toBe(204);
      expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/ns/tables/t')).status).toBe(404);
      const owed = await p.running.platform.store.db.selectFrom('catalog_purge_tasks').selectAll().execute();
      expect(owed).toHaveLength(1);
      expect(owed[0]).toMatchObject({ object_name: 'ns.t', attempts: 1 });
      expect(owed[0]!.last_error).toBeTruthy();
      expect(await listKeys(server, bucket, prefix)).toHaveLength(1);

      await ice.call('DELETE', '/v1/{prefix}/namespaces/ns');
      const blocked = await p.call('DELETE', '/api/v1/warehouses/pw', { token: admin });
      expect(blocked.status).toBe(409);
      expect(blocked.body.detail).toContain('still owes the purge of ns.t');

      // Storage is back; the next pass (the sweeper's, here called at once) deletes the files.
      await p.call('PATCH', '/api/v1/warehouses/pw', { token: admin, body: { storage } });
      await p.running.platform.store.db.updateTable('catalog_purge_tasks').set({ next_attempt_at: new Date() }).execute();
      expect(await runDuePurges(p.running.platform)).toBe(1);
      expect(await listKeys(server, bucket, prefix)).toEqual([]);
      expect(await p.running.platform.store.db.selectFrom('catalog_purge_tasks').selectAll().execute()).toEqual([]);
      expect((await p.call('DELETE', '/api/v1/warehouses/pw', { token: admin })).status).toBe(204);
    });
  });
});
