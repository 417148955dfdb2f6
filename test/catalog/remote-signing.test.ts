import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { findS3sFs, startS3sFs, type S3sFs } from '../support/s3s-fs.js';
import { keysForCatalog, storageOf } from '../support/s3.js';

/**
 * Remote signing through real HTTP against s3s-fs, an S3 server that checks every SigV4 signature against keys
 * only the catalog holds: a request the signer refused, or one the client changed after signing, cannot succeed
 * there. Readers get GET/HEAD inside their table only; writers PUT/POST/DELETE inside it; nothing reaches another
 * table's prefix; traversal is refused; a revoked grant stops signing at once; filtered or masked readers get none.
 */
const bin = findS3sFs('the remote signing suite (test/catalog/remote-signing.test.ts)');
const REF = 'LAKEPLANE_TEST_SIGNING';
const v = (...values: string[]) => ({ values });
const RS = { 'x-iceberg-access-delegation': 'remote-signing' };

interface Signed {
  uri: string;
  headers: Record<string, string[]>;
}

describe.skipIf(!bin)('remote signing', () => {
  describe.each(backends())('on %s', (backend) => {
    let s3: S3sFs;
    let p: TestPlatform;
    let admin: string;
    const bucket = 'lake';
    const clients: Record<string, IcebergClient> = {};
    const locations: Record<string, string> = {};
    const metadataLocations: Record<string, string> = {};

    const sign = (who: string, table: string, request: Record<string, unknown>) =>
      clients[who]!.call('POST', `/v1/{prefix}/namespaces/sales/tables/${table}/sign`, { region: s3.region, headers: {}, ...request });
    /** The https URL of a location as a path-style request to s3s-fs. */
    const urlOf = (location: string) => `${s3.endpoint}/${location.slice('s3://'.length).split('/').map(encodeURIComponent).join('/')}`;
    /** Sends what the signer answered to s3s-fs, as a client does: its own headers plus the signed ones. */
    const send = (method: string, signed: Signed, own: Record<string, string> = {}, body?: string) => {
      const headers: Record<string, string> = { ...own };
      for (const [k, values] of Object.entries(signed.headers)) headers[k] = values.join(', ');
      return fetch(signed.uri, { method, headers, ...(body !== undefined ? { body } : {}) });
    };

    beforeAll(async () => {
      s3 = await startS3sFs(bin!);
      await s3.createBucket(bucket);
      keysForCatalog(REF, s3.credentials);
      p = await startPlatform(backend);
      admin = await p.adminToken();
      const wh = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: { name: 'signwh', storageLocation: `s3://${bucket}/warehouse`, credentialsRef: `env:${REF}`, remoteSigning: true, storage: storageOf(s3) },
      });
      expect(wh.status, JSON.stringify(wh.body)).toBe(201);
      expect(wh.body).toMatchObject({ remoteSigning: true, credentialVending: 'none' });
      const ice = new IcebergClient(p, admin, 'signwh');
      clients['admin'] = ice;
      expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] })).status).toBe(200);
      for (const name of ['orders', 'refunds', 'people']) {
        const r = await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name, schema: SAMPLE_SCHEMA });
        expect(r.status, r.text).toBe(200);
        locations[name] = r.body.metadata.location;
        metadataLocations[name] = r.body['metadata-location'];
      }
      const policies = [
        {
          name: 'reader reads orders',
          resources: { warehouse: v('signwh'), namespace: v('sales'), table: v('orders') },
          allow: [{ users: ['reader'], accesses: ['select'] }],
        },
        {
          name: 'writer writes orders',
          resources: { warehouse: v('signwh'), namespace: v('sales'), table: v('orders') },
          allow: [{ users: ['writer'], accesses: ['select', 'insert', 'update', 'delete'] }],
        },
        {
          name: 'limited read people',
          resources: { warehouse: v('signwh'), namespace: v('sales'), table: v('people') },
          allow: [{ users: ['masked', 'filtered'], accesses: ['select'] }],
        },
        {
          name: 'masked sees no data',
          type: 'masking',
          resources: { warehouse: v('signwh'), namespace: v('sales'), table: v('people'), column: v('data') },
          masks: [{ users: ['masked'], type: 'MASK' }],
        },
        {
          name: 'filtered sees recent rows',
          type: 'row-filter',
          resources: { warehouse: v('signwh'), namespace: v('sales'), table: v('people') },
          rowFilters: [{ users: ['filtered'], filter: 'id > 10' }],
        },
      ];
      for (const body of policies) {
        const r = await p.call('POST', '/api/v1/policies', { token: admin, body });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
      }
      for (const user of ['reader', 'writer', 'masked', 'filtered', 'fleeting']) {
        expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: user, password: `${user}-password-1` } })).status).toBe(201);
        clients[user] = new IcebergClient(p, (await p.login(user, `${user}-password-1`)).body.access_token as string, 'signwh');
      }
    }, 120_000);
    afterAll(async () => {
      await p?.close();
      await s3?.stop();
    });

    it("loadTable with remote-signing answers the table's signer endpoint and no credential at all", async () => {
      const r = await clients['reader']!.call('GET', '/v1/{prefix}/namespaces/sales/tables/orders', undefined, RS);
      expect(r.status, r.text).toBe(200);
      expect(r.body.config).toMatchObject({
        's3.remote-signing-enabled': 'true',
        's3.signer.endpoint': 'v1/signwh/namespaces/sales/tables/orders/sign',
        's3.signer': 'S3V4RestSigner',
        's3.endpoint': s3.endpoint,
        's3.path-style-access': 'true',
      });
      expect(r.body.config['s3.access-key-id']).toBeUndefined();
      expect(r.body['storage-credentials']).toBeUndefined();
      expect(r.text).not.toContain(s3.credentials.secretAccessKey);
      expect(r.text).not.toContain(s3.credentials.accessKeyId);
      // Without the header (or with vended-credentials only) the warehouse, which vends nothing, says only where files are.
      const plain = await clients['reader']!.call('GET', '/v1/{prefix}/namespaces/sales/tables/orders');
      expect(plain.body.config['s3.remote-signing-enabled']).toBeUndefined();
      // createTable answers it too, to its creator.
      const created = await clients['admin']!.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name: 'fresh', schema: SAMPLE_SCHEMA }, RS);
      expect(created.status, created.text).toBe(200);
      expect(created.body.config['s3.signer.endpoint']).toBe('v1/signwh/namespaces/sales/tables/fresh/sign');
    });

    it("signs a reader's GET inside its table, and s3s-fs, which only knows the catalog's keys, serves it", async () => {
      const uri = urlOf(metadataLocations['orders']!);
      expect((await fetch(uri)).status).toBe(403); // unsigned: refused by the S3 server
      const r = await sign('reader', 'orders', { method: 'GET', uri, headers: { 'user-agent': ['test'] } });
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-cache');
      const signed = r.body as Signed;
      expect(signed.uri).toBe(uri);
      expect(signed.headers['authorization']![0]).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${s3.credentials.accessKeyId}/`));
      expect(Object.keys(signed.headers).sort()).toEqual(['authorization', 'x-amz-content-sha256', 'x-amz-date']);
      const got = await send('GET', signed, { 'user-agent': 'test' });
      expect(got.status).toBe(200);
      expect(JSON.parse(await got.text())).toMatchObject({ location: locations['orders'] });
      // HEAD and a listing under the table are reads too.
      const head = await sign('reader', 'orders', { method: 'HEAD', uri });
      expect((await send('HEAD', head.body as Signed)).status).toBe(200);
      const key = locations['orders']!.slice(`s3://${bucket}/`.length);
      const list = await sign('reader', 'orders', { method: 'GET', uri: `${s3.endpoint}/${bucket}?list-type=2&prefix=${encodeURIComponent(`${key}/`)}` });
      expect(list.status, list.text).toBe(200);
      const listed = await send('GET', list.body as Signed);
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain(metadataLocations['orders']!.slice(`s3://${bucket}/`.length));
    });

    it('a signature is bound to the request: the same headers on another key are refused by s3s-fs', async () => {
      const r = await sign('reader', 'orders', { method: 'GET', uri: urlOf(metadataLocations['orders']!) });
      const other = { ...(r.body as Signed), uri: urlOf(metadataLocations['refunds']!) };
      expect((await send('GET', other)).status).toBe(403);
    });

    it("refuses a reader's PUT, POST and DELETE (403), and signs a writer's, which s3s-fs then accepts", async () => {
      const uri = urlOf(`${locations['orders']}/data/written-by-writer.txt`);
      for (const method of ['PUT', 'POST', 'DELETE']) {
        const r = await sign('reader', 'orders', { method, uri });
        expect(r.status, r.text).toBe(403);
        expect(r.body.error).toMatchObject({ code: 403, type: 'ForbiddenException' });
        expect(r.body.error.message).toMatch(/only read/);
      }
      const put = await sign('writer', 'orders', { method: 'PUT', uri, headers: { 'content-type': ['text/plain'] } });
      expect(put.status, put.text).toBe(200);
      expect((await send('PUT', put.body as Signed, { 'content-type': 'text/plain' }, 'written')).status).toBe(200);
      const get = await sign('reader', 'orders', { method: 'GET', uri });
      expect(await (await send('GET', get.body as Signed)).text()).toBe('written');
      const del = await sign('writer', 'orders', { method: 'DELETE', uri });
      expect((await send('DELETE', del.body as Signed)).status).toBe(204);
    });

    it("a writer's token scoped to catalog:read gets its reads signed, never a write", async () => {
      const token = await fetch(`${p.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: 'writer', password: 'writer-password-1', scope: 'catalog:read' }).toString(),
      }).then((r) => r.json() as Promise<{ access_token: string }>);
      clients['writer-read'] = new IcebergClient(p, token.access_token, 'signwh');
      const uri = urlOf(metadataLocations['orders']!);
      expect((await sign('writer-read', 'orders', { method: 'GET', uri })).status).toBe(200);
      const put = await sign('writer-read', 'orders', { method: 'PUT', uri: `${locations['orders'] ? urlOf(`${locations['orders']}/data/scoped`) : ''}` });
      expect(put.status, put.text).toBe(403);
    });

    it("signs a writer's DeleteObjects with its body hashed, only when every key is inside the table", async () => {
      const uri = `${s3.endpoint}/${bucket}?delete`;
      const key = (t: string, f: string) => `${locations[t]!.slice(`s3://${bucket}/`.length)}/data/${f}`;
      const body = (...keys: string[]) =>
        `<?xml version="1.0" encoding="UTF-8"?><Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`;
      const own = body(key('orders', 'a.parquet'), key('orders', 'b.parquet'));
      const md5 = createHash('md5').update(own).digest('base64');
      const r = await sign('writer', 'orders', { method: 'POST', uri, headers: { 'content-md5': [md5], 'content-type': ['application/xml'] }, body: own });
      expect(r.status, r.text).toBe(200);
      expect((r.body as Signed).headers['x-amz-content-sha256']).toEqual([createHash('sha256').update(own).digest('hex')]);
      expect((await send('POST', r.body as Signed, { 'content-md5': md5, 'content-type': 'application/xml' }, own)).status).toBe(200);
      // Another body under the same signature: s3s-fs checks the payload hash.
      const swapped = body(key('refunds', 'a.parquet'));
      expect(
        (
          await send(
            'POST',
            r.body as Signed,
            { 'content-md5': createHash('md5').update(swapped).digest('base64'), 'content-type': 'application/xml' },
            swapped,
          )
        ).status,
      ).not.toBe(200);
      expect((await sign('writer', 'orders', { method: 'POST', uri, body: body(key('orders', 'a'), key('refunds', 'a')) })).status).toBe(403);
      expect((await sign('writer', 'orders', { method: 'POST', uri })).status).toBe(403);
    });

    it("never signs a key in another table's prefix, through its own endpoint or the other's", async () => {
      const refunds = urlOf(metadataLocations['refunds']!);
      const r = await sign('reader', 'orders', { method: 'GET', uri: refunds });
      expect(r.status, r.text).toBe(403);
      expect(r.body.error.message).toMatch(/outside the table's location/);
      expect((await sign('reader', 'refunds', { method: 'GET', uri: refunds })).status).toBe(403);
      expect((await sign('writer', 'orders', { method: 'PUT', uri: refunds })).status).toBe(403);
      // A neighbour whose name starts with the table's, a listing that would show it, the bucket root.
      const key = locations['orders']!.slice(`s3://${bucket}/`.length);
      expect((await sign('writer', 'orders', { method: 'GET', uri: `${s3.endpoint}/${bucket}/${key}0/x` })).status).toBe(403);
      expect((await sign('reader', 'orders', { method: 'GET', uri: `${s3.endpoint}/${bucket}?list-type=2&prefix=${encodeURIComponent(key)}` })).status).toBe(
        403,
      );
      expect((await sign('reader', 'orders', { method: 'GET', uri: `${s3.endpoint}/${bucket}?list-type=2` })).status).toBe(403);
      // Another host than the warehouse's S3.
      expect((await sign('reader', 'orders', { method: 'GET', uri: `http://127.0.0.2:1/${bucket}/${key}/x` })).status).toBe(403);
    });

    it('refuses .. and its encodings (400), so a traversal never gets a signature', async () => {
      const base = urlOf(locations['orders']!);
      const refundsKey = locations['refunds']!.slice(`s3://${bucket}/warehouse/sales/`.length);
      for (const tail of [`/../${refundsKey}/metadata/x`, `/%2e%2e/${refundsKey}/x`, `/%2E%2E%2F${refundsKey}%2Fx`, `/data/./x`, `/data/%zz`]) {
        const r = await sign('writer', 'orders', { method: 'GET', uri: base + tail });
        expect(r.status, `${tail}: ${r.text}`).toBe(400);
        expect(r.body.error.type).toBe('BadRequestException');
      }
      const copy = await sign('writer', 'orders', {
        method: 'PUT',
        uri: `${base}/data/copy`,
        headers: { 'x-amz-copy-source': [`${bucket}/${locations['refunds']!.slice(`s3://${bucket}/`.length)}/metadata/x`] },
      });
      expect(copy.status).toBe(403);
    });

    it('re-decides at signing time: a revoked grant stops signing at once', async () => {
      const created = await p.call('POST', '/api/v1/policies', {
        token: admin,
        body: {
          name: 'fleeting reads orders',
          resources: { warehouse: v('signwh'), namespace: v('sales'), table: v('orders') },
          allow: [{ users: ['fleeting'], accesses: ['select'] }],
        },
      });
      expect(created.status).toBe(201);
      const uri = urlOf(metadataLocations['orders']!);
      expect((await sign('fleeting', 'orders', { method: 'GET', uri })).status).toBe(200);
      expect((await p.call('DELETE', `/api/v1/policies/${created.body.id}`, { token: admin })).status).toBe(204);
      const r = await sign('fleeting', 'orders', { method: 'GET', uri });
      expect(r.status, r.text).toBe(403);
    });

    it('stops signing for a dropped table at once', async () => {
      const made = await clients['admin']!.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name: 'shortlived', schema: SAMPLE_SCHEMA });
      expect(made.status, made.text).toBe(200);
      const uri = urlOf(made.body['metadata-location']);
      expect((await sign('admin', 'shortlived', { method: 'GET', uri })).status).toBe(200);
      expect((await clients['admin']!.call('DELETE', '/v1/{prefix}/namespaces/sales/tables/shortlived')).status).toBe(204);
      const r = await sign('admin', 'shortlived', { method: 'GET', uri });
      expect(r.status, r.text).toBe(403);
      expect(r.body.error.message).toMatch(/Table does not exist/);
    });

    it('gives readers whose reads are masked or row-filtered no signing (403 naming why), and no signature', async () => {
      for (const [who, why] of [
        ['masked', /column masks on data/],
        ['filtered', /a row filter/],
      ] as const) {
        const load = await clients[who]!.call('GET', '/v1/{prefix}/namespaces/sales/tables/people', undefined, RS);
        expect(load.status, load.text).toBe(403);
        expect(load.body.error.message).toMatch(why);
        expect(load.body.error.message).toMatch(/bypass/);
        // Loading the metadata without asking for file access still works: the engine that applies the policy needs it.
        expect((await clients[who]!.call('GET', '/v1/{prefix}/namespaces/sales/tables/people')).status).toBe(200);
        const r = await sign(who, 'people', { method: 'GET', uri: urlOf(metadataLocations['people']!) });
        expect(r.status, r.text).toBe(403);
        expect(r.body.error.message).toMatch(why);
      }
    });

    it('signs nothing for a warehouse without remoteSigning, and checks the setting', async () => {
      const off = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: { name: 'nosign', storageLocation: `s3://${bucket}/nosign`, credentialsRef: `env:${REF}`, storage: storageOf(s3) },
      });
      expect(off.status, JSON.stringify(off.body)).toBe(201);
      expect(off.body.remoteSigning).toBe(false);
      const ice = new IcebergClient(p, admin, 'nosign');
      expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] })).status).toBe(200);
      const t = await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name: 't', schema: SAMPLE_SCHEMA }, RS);
      expect(t.body.config['s3.remote-signing-enabled']).toBeUndefined();
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables/t/sign', {
        region: s3.region,
        method: 'GET',
        uri: urlOf(t.body['metadata-location']),
        headers: {},
      });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/does not sign/);
      for (const [body, field] of [
        [{ name: 'bad1', storageLocation: 'file:///tmp/lakeplane-sign', remoteSigning: true }, 'remoteSigning'],
        [{ name: 'bad2', storageLocation: `s3://${bucket}/bad2`, remoteSigning: true }, 'credentialsRef'],
      ] as const) {
        const bad = await p.call('POST', '/api/v1/warehouses', { token: admin, body });
        expect(bad.status, JSON.stringify(bad.body)).toBe(400);
        expect(JSON.stringify(bad.body)).toContain(field);
      }
    });

    it('/v1/config says the warehouse signs, and the OpenAPI document declares the signer', async () => {
      const config = await clients['reader']!.call('GET', '/v1/config?warehouse=signwh');
      expect(config.body.defaults).toMatchObject({ 'lakeplane.remote-signing': 'enabled' });
      expect(config.body.endpoints).toContain('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign');
      const doc = (await p.call('GET', '/openapi.json')).body;
      const op = doc.paths['/iceberg/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign'].post;
      expect(op.operationId).toBe('iceberg.signRequest');
      expect(op.security).toEqual([{ bearer: [] }, { oauth2: ['catalog:read'] }]);
      expect(op.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['region', 'uri', 'method', 'headers']));
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '403']));
    });

    it('refuses unauthenticated signing requests (401)', async () => {
      const r = await fetch(`${p.url}/iceberg/v1/signwh/namespaces/sales/tables/orders/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ region: 'us-east-1', method: 'GET', uri: urlOf(metadataLocations['orders']!), headers: {} }),
      });
      expect(r.status).toBe(401);
    });
  });
});
