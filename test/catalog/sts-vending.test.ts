import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { createTestBucket, testS3, keysForCatalog, storageOf } from '../support/s3.js';

/**
 * credentialVending sts through real HTTP against a real STS (moto, which also answers STS at LAKEPLANE_S3_ENDPOINT):
 * clients get short-lived credentials from AssumeRole whose session policy reaches only the loaded table's files,
 * read-only for a reader. The catalog's STS endpoint is a recording pass-through to moto (moto's own record,
 * /moto-api/data.json, fails on a shared server's other objects), so the assertions are on the very documents STS
 * received, found by the access key STS issued and the client was given.
 */
const s3 = testS3('the STS credential vending suite (test/catalog/sts-vending.test.ts)');
const REF = 'LAKEPLANE_TEST_STS';
const ROLE = 'arn:aws:iam::123456789012:role/lakeplane-vending';
const v = (...values: string[]) => ({ values });

interface AssumedRole {
  access_key_id: string;
  role_arn: string;
  external_id: string | null;
  session_name: string;
  policy: string;
}

/** Forwards every request to `target` and records each AssumeRole request by the access key STS answered. */
async function recordingStsProxy(target: string): Promise<{ url: string; assumed: Map<string, AssumedRole>; close(): Promise<void> }> {
  const assumed = new Map<string, AssumedRole>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      void fetch(target + (req.url ?? '/'), { method: req.method ?? 'POST', headers, body: body.length > 0 ? body : undefined }).then(
        async (answer) => {
          const text = await answer.text();
          const form = new URLSearchParams(body.toString('utf8'));
          const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
          if (form.get('Action') === 'AssumeRole' && key) {
            assumed.set(key, {
              access_key_id: key,
              role_arn: form.get('RoleArn') ?? '',
              external_id: form.get('ExternalId'),
              session_name: form.get('RoleSessionName') ?? '',
              policy: form.get('Policy') ?? '',
            });
          }
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, assumed, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
interface Statement {
  Sid: string;
  Action: string[];
  Resource: string[];
  Condition?: { StringLike: { 's3:prefix': string[] } };
}

describe.skipIf(!s3)('STS credential vending', () => {
  describe.each(backends())('on %s', (backend) => {
    const server = s3!;
    let p: TestPlatform;
    let admin: string;
    let bucket: string;
    let dropBucket: () => Promise<void>;
    let warehouseLocation: string;
    const clients: Record<string, IcebergClient> = {};
    let sts: Awaited<ReturnType<typeof recordingStsProxy>>;

    /** The role STS assumed for an access key it issued, with the session policy it was asked for. */
    async function assumedFor(accessKeyId: string): Promise<AssumedRole & { statements: Statement[] }> {
      const role = sts.assumed.get(accessKeyId);
      if (!role) throw new Error(`STS assumed no role for ${accessKeyId}`);
      return { ...role, statements: (JSON.parse(role.policy) as { Statement: Statement[] }).Statement };
    }

    const load = (who: string, table: string, headers: Record<string, string> = { 'x-iceberg-access-delegation': 'vended-credentials' }) =>
      clients[who]!.call('GET', `/v1/{prefix}/namespaces/sales/tables/${encodeURIComponent(table)}`, undefined, headers);

    beforeAll(async () => {
      ({ bucket, drop: dropBucket } = await createTestBucket(server, `sts-${backend}`));
      sts = await recordingStsProxy(server.endpoint);
      warehouseLocation = `s3://${bucket}/warehouse`;
      keysForCatalog(REF, server.credentials);
      p = await startPlatform(backend);
      admin = await p.adminToken();
      const wh = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: {
          name: 'stswh',
          storageLocation: warehouseLocation,
          credentialsRef: `env:${REF}`,
          credentialVending: 'sts',
          storage: storageOf(server),
          sts: { roleArn: ROLE, externalId: 'lakeplane-ext-1', endpoint: sts.url, durationSeconds: 900 },
        },
      });
      expect(wh.status, JSON.stringify(wh.body)).toBe(201);
      expect(wh.body).toMatchObject({ credentialVending: 'sts', sts: { roleArn: ROLE, externalId: 'lakeplane-ext-1', durationSeconds: 900 } });
      const ice = new IcebergClient(p, admin, 'stswh');
      clients['admin'] = ice;
      expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] })).status).toBe(200);
      for (const name of ['orders', 'refunds'])
        expect((await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name, schema: SAMPLE_SCHEMA })).status).toBe(200);
      // A table whose location holds IAM wildcards: unescaped, its grant would reach every neighbour.
      const starred = await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', {
        name: 'starred',
        schema: SAMPLE_SCHEMA,
        location: `${warehouseLocation}/sales/*`,
      });
      expect(starred.status, starred.text).toBe(200);
      const policies = [
        {
          name: 'reader reads orders',
          resources: { warehouse: v('stswh'), namespace: v('sales'), table: v('orders', 'starred') },
          allow: [{ users: ['reader'], accesses: ['select'] }],
        },
        {
          name: 'writer writes orders',
          resources: { warehouse: v('stswh'), namespace: v('sales'), table: v('orders') },
          allow: [{ users: ['writer'], accesses: ['select', 'insert', 'update', 'delete'] }],
        },
      ];
      for (const body of policies) {
        const r = await p.call('POST', '/api/v1/policies', { token: admin, body });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
      }
      for (const user of ['reader', 'writer']) {
        expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: user, password: `${user}-password-1` } })).status).toBe(201);
        clients[user] = new IcebergClient(p, (await p.login(user, `${user}-password-1`)).body.access_token as string, 'stswh');
      }
    }, 120_000);
    afterAll(async () => {
      await p?.close();
      await sts?.close();
      await dropBucket?.();
    });

    it("a reader of orders gets short-lived credentials whose session policy reads orders' prefix and nothing else", async () => {
      const r = await load('reader', 'orders');
      expect(r.status, r.text).toBe(200);
      const location = r.body.metadata.location as string;
      const key = location.slice(`s3://${bucket}/`.length);
      const [cred, ...others] = r.body['storage-credentials'] as Array<{ prefix: string; config: Record<string, string> }>;
      expect(others).toEqual([]);
      expect(cred!.prefix).toBe(location);
      const c = cred!.config;
      expect(c).toMatchObject({
        's3.endpoint': server.endpoint,
        'client.region': server.region,
        's3.path-style-access': 'true',
        'client.refresh-credentials-enabled': 'true',
      });
      expect(c['client.refresh-credentials-endpoint']).toBe('v1/stswh/namespaces/sales/tables/orders/credentials');
      expect(c['s3.access-key-id']).not.toBe(server.credentials.accessKeyId);
      expect(c['s3.session-token']).toBeTruthy();
      // Expires within the configured 900 s.
      const expiresIn = Number(c['s3.session-token-expires-at-ms']) - Date.now();
      expect(expiresIn).toBeGreaterThan(0);
      expect(expiresIn).toBeLessThanOrEqual(900_000);
      expect(r.text).not.toContain(server.credentials.secretAccessKey);

      const role = await assumedFor(c['s3.access-key-id']!);
      expect(role).toMatchObject({ role_arn: ROLE, external_id: 'lakeplane-ext-1', session_name: 'lakeplane-reader' });
      expect(role.statements).toEqual([
        {
          Sid: 'ListTablePrefixes',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: [`arn:aws:s3:::${bucket}`],
          Condition: { StringLike: { 's3:prefix': [`${key}/*`] } },
        },
        { Sid: 'ReadTableObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`arn:aws:s3:::${bucket}/${key}/*`] },
      ]);
      // Nothing reaches refunds' files, and nothing writes.
      const refunds = (await load('admin', 'refunds')).body.metadata.location as string;
      expect(role.policy).not.toContain(refunds.slice(`s3://${bucket}/`.length));
      expect(role.statements.flatMap((s) => s.Action).filter((a) => /Put|Delete|Multipart/.test(a))).toEqual([]);
    });

    it("a writer of orders gets put and delete on orders' prefix only", async () => {
      const r = await load('writer', 'orders');
      expect(r.status, r.text).toBe(200);
      const key = (r.body.metadata.location as string).slice(`s3://${bucket}/`.length);
      const role = await assumedFor(r.body['storage-credentials'][0].config['s3.access-key-id']);
      expect(role.session_name).toBe('lakeplane-writer');
      const write = role.statements.find((s) => s.Sid === 'WriteTableObjects')!;
      expect(write.Action).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
      expect(write.Resource).toEqual([`arn:aws:s3:::${bucket}/${key}/*`]);
    });

    it('the credentials endpoint refreshes them with the same scope', async () => {
      const r = await clients['reader']!.call('GET', '/v1/{prefix}/namespaces/sales/tables/orders/credentials');
      expect(r.status, r.text).toBe(200);
      const [cred] = r.body['storage-credentials'] as Array<{ prefix: string; config: Record<string, string> }>;
      const role = await assumedFor(cred!.config['s3.access-key-id']!);
      expect(role.statements.map((s) => s.Sid)).toEqual(['ListTablePrefixes', 'ReadTableObjects']);
      expect(cred!.prefix.startsWith(`${warehouseLocation}/sales/orders`)).toBe(true);
    });

    it('a reader without access to a table gets no credential for it (403), and the header can decline vending', async () => {
      expect((await load('reader', 'refunds')).status).toBe(403);
      expect((await clients['reader']!.call('GET', '/v1/{prefix}/namespaces/sales/tables/refunds/credentials')).status).toBe(403);
      const declined = await load('reader', 'orders', { 'x-iceberg-access-delegation': 'remote-signing' });
      expect(declined.status).toBe(200);
      expect(declined.body['storage-credentials']).toBeUndefined();
      expect(declined.body.config['s3.access-key-id']).toBeUndefined();
    });

    it('escapes * in a table location, so its policy cannot reach the other tables of the namespace', async () => {
      const r = await load('reader', 'starred');
      expect(r.status, r.text).toBe(200);
      const role = await assumedFor(r.body['storage-credentials'][0].config['s3.access-key-id']);
      expect(role.statements[1]!.Resource).toEqual([`arn:aws:s3:::${bucket}/warehouse/sales/\${*}/*`]);
      expect(role.statements[0]!.Condition!.StringLike['s3:prefix']).toEqual(['warehouse/sales/${*}/*']);
    });

    it('createTable answers credentials of the new table, read-write for its creator', async () => {
      const r = await clients['admin']!.call(
        'POST',
        '/v1/{prefix}/namespaces/sales/tables',
        { name: 'fresh', schema: SAMPLE_SCHEMA },
        { 'x-iceberg-access-delegation': 'vended-credentials' },
      );
      expect(r.status, r.text).toBe(200);
      const [cred] = r.body['storage-credentials'] as Array<{ prefix: string; config: Record<string, string> }>;
      expect(cred!.prefix).toBe(r.body.metadata.location);
      const role = await assumedFor(cred!.config['s3.access-key-id']!);
      expect(role.statements.map((s) => s.Sid)).toEqual(['ListTablePrefixes', 'ReadTableObjects', 'WriteTableObjects']);
    });

    it('/v1/config says which vending a warehouse does, and what a static one gives away', async () => {
      const sts = await clients['admin']!.call('GET', '/v1/config?warehouse=stswh');
      expect(sts.body.defaults).toEqual({ 'lakeplane.credential-vending': 'sts' });
      const created = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: { name: 'staticwh', storageLocation: `${warehouseLocation}-static`, credentialsRef: `env:${REF}`, credentialVending: 'static' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const stat = await clients['admin']!.call('GET', '/v1/config?warehouse=staticwh');
      expect(stat.body.defaults['lakeplane.credential-vending']).toBe('static');
      expect(stat.body.defaults['lakeplane.credential-vending.warning']).toMatch(/long-lived storage keys, which read and write every table's files/);
      expect((await p.call('DELETE', '/api/v1/warehouses/staticwh', { token: admin })).status).toBe(204);
    });

    it("keeps no storage secret in the idempotency store: a replayed createTable gets this request's credentials", async () => {
      const created = await p.call('POST', '/api/v1/warehouses', {
        token: admin,
        body: {
          name: 'staticidem',
          storageLocation: `${warehouseLocation}-idem`,
          credentialsRef: `env:${REF}`,
          credentialVending: 'static',
          storage: storageOf(server),
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const ice = new IcebergClient(p, admin, 'staticidem');
      expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] })).status).toBe(200);
      const key = '0190f0a8-6c3e-7d3a-9f00-0000000000a1';
      const first = await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name: 'orders', schema: SAMPLE_SCHEMA }, { 'idempotency-key': key });
      expect(first.status, first.text).toBe(200);
      expect(first.body.config['s3.secret-access-key']).toBe(server.credentials.secretAccessKey);
      const stored = await p.running.platform.store.db.selectFrom('idempotency_keys').select('body').where('key', '=', key).executeTakeFirstOrThrow();
      expect(stored.body).not.toContain(server.credentials.secretAccessKey);
      const replay = await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name: 'orders', schema: SAMPLE_SCHEMA }, { 'idempotency-key': key });
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
      expect(replay.body.config['s3.secret-access-key']).toBe(server.credentials.secretAccessKey);
      expect(replay.body.metadata.location).toBe(first.body.metadata.location);
    });

    it('vends nothing to a reader whose reads are masked (403 naming the mask): raw files would bypass it', async () => {
      for (const body of [
        {
          name: 'maskedsts reads orders',
          resources: { warehouse: v('stswh'), namespace: v('sales'), table: v('orders') },
          allow: [{ users: ['maskedsts'], accesses: ['select'] }],
        },
        {
          name: 'maskedsts sees no data',
          type: 'masking',
          resources: { warehouse: v('stswh'), namespace: v('sales'), table: v('orders'), column: v('data') },
          masks: [{ users: ['maskedsts'], type: 'MASK' }],
        },
      ])
        expect((await p.call('POST', '/api/v1/policies', { token: admin, body })).status).toBe(201);
      expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'maskedsts', password: 'maskedsts-password-1' } })).status).toBe(201);
      clients['maskedsts'] = new IcebergClient(p, (await p.login('maskedsts', 'maskedsts-password-1')).body.access_token as string, 'stswh');
      const r = await load('maskedsts', 'orders');
      expect(r.status, r.text).toBe(403);
      expect(r.body.error.message).toMatch(/column masks on data .*vended credentials would give raw access/);
      expect((await clients['maskedsts']!.call('GET', '/v1/{prefix}/namespaces/sales/tables/orders/credentials')).status).toBe(403);
      // The reader without a mask still gets its credentials.
      expect((await load('reader', 'orders')).status).toBe(200);
    });

    it('refuses incomplete or out-of-range STS settings with a 400 naming the field, and changes nothing', async () => {
      const base = { storageLocation: `${warehouseLocation}-2`, credentialsRef: `env:${REF}`, credentialVending: 'sts' };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, 'sts'],
        [{ sts: { roleArn: 'not-an-arn' } }, 'roleArn'],
        [{ sts: { roleArn: ROLE, durationSeconds: 60 } }, 'durationSeconds'],
        [{ sts: { roleArn: ROLE, endpoint: 'ftp://sts' } }, 'endpoint'],
        [{ storageLocation: 'file:///tmp/lakeplane-sts', sts: { roleArn: ROLE } }, 'credentialVending'],
      ];
      for (const [extra, field] of cases) {
        const r = await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'stswh2', ...base, ...extra } });
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(JSON.stringify(r.body)).toContain(field);
      }
      expect((await p.call('GET', '/api/v1/warehouses/stswh2', { token: admin })).status).toBe(404);
      const patch = await p.call('PATCH', '/api/v1/warehouses/stswh', { token: admin, body: { sts: null } });
      expect(patch.status).toBe(400);
      expect(JSON.stringify(patch.body)).toContain('sts');
      expect((await p.call('GET', '/api/v1/warehouses/stswh', { token: admin })).body.sts.roleArn).toBe(ROLE);
    });
  });
});
