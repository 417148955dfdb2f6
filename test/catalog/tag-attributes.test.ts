import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { IcebergClient } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Issue 19, section 2: catalog tags with attributes (Ranger's EXPIRES_ON tag and its expiry_date) through the
 * discovery API, and Ranger's default EXPIRES_ON policy (a deny for everyone with accessed-after-expiry) enforced by
 * the catalog itself on loadTable, and by decide at an access time, all through real HTTP.
 */
const API = '/api/v1/catalog';
const WH = `${API}/warehouses/wh`;
const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'note', required: false, type: 'string' },
  ],
};
const v = (...values: string[]) => ({ values });
const DAY = 86_400_000;
/** A Ranger tag date (yyyy/MM/dd, UTC) some days from now. */
const rangerDay = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10).replaceAll('-', '/');
/** Ranger's default tag policy: everyone is denied everything once the tag's expiry_date has passed. */
const EXPIRES_ON_POLICY = {
  name: 'EXPIRES_ON',
  description: 'Policy for data with EXPIRES_ON tag',
  resources: { tags: v('EXPIRES_ON') },
  deny: [{ groups: ['public'], accesses: ['all'], conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }] }],
};

describe.each(backends())('catalog tag attributes and EXPIRES_ON on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let alice: string;
  let root: string;
  const call = (method: string, url: string, body?: unknown, token?: string) =>
    p.call(method, url, { token: token ?? admin, ...(body !== undefined ? { body } : {}) });
  const decide = async (resource: Record<string, unknown>, accessTime?: string) => {
    const r = await call('POST', '/api/v1/policies/decide', {
      principal: { user: 'alice' },
      access: 'select',
      resource,
      ...(accessTime ? { accessTime } : {}),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-tag-attributes-'));
    expect((await call('POST', '/api/v1/warehouses', { name: 'wh', storageLocation: pathToFileURL(root).href })).status).toBe(201);
    const ice = new IcebergClient(p, admin, 'wh');
    expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] })).status).toBe(200);
    for (const name of ['orders', 'archive', 'plain', 'scratch'])
      expect((await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name, schema: SCHEMA })).status).toBe(200);
    expect((await call('POST', '/api/v1/users', { username: 'alice', password: 'alice-password-1' })).status).toBe(201);
    alice = (await p.login('alice', 'alice-password-1')).body.access_token;
    const readers = await call('POST', '/api/v1/policies', {
      name: 'alice reads sales',
      resources: { warehouse: v('wh'), namespace: v('sales') },
      allow: [{ users: ['alice'], accesses: ['select'] }],
    });
    expect(readers.status, JSON.stringify(readers.body)).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('keeps attributes next to plain tags: set, read, kept while the tag stays, gone with it', async () => {
    const url = `${WH}/namespaces/sales/tables/scratch`;
    // Tags without attributes answer exactly as before: no tagAttributes field.
    const plain = await call('PATCH', url, { tags: ['pii', 'finance'] });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.body.tags).toEqual(['pii', 'finance']);
    expect(plain.body).not.toHaveProperty('tagAttributes');

    const set = await call('PATCH', url, { addTags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: { expiry_date: '2031/12/31', activates_on: '2020/01/01' } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.tags).toEqual(['pii', 'finance', 'EXPIRES_ON']);
    expect(set.body.tagAttributes).toEqual({ EXPIRES_ON: { expiry_date: '2031/12/31', activates_on: '2020/01/01' } });
    expect((await call('GET', url)).body).toEqual(set.body);

    // A replacing tags list from a client that knows nothing of attributes keeps those of the tags it keeps.
    const replaced = await call('PATCH', url, { tags: ['EXPIRES_ON', 'pii'] });
    expect(replaced.body.tagAttributes).toEqual({ EXPIRES_ON: { expiry_date: '2031/12/31', activates_on: '2020/01/01' } });
    // Attributes alone replace that tag's attributes (an Atlas timestamp is a date too).
    const atlas = await call('PATCH', url, { tagAttributes: { EXPIRES_ON: { expiry_date: '2031-12-31T18:00:00.000Z' } }, version: replaced.body.version });
    expect(atlas.status, JSON.stringify(atlas.body)).toBe(200);
    expect(atlas.body.tagAttributes).toEqual({ EXPIRES_ON: { expiry_date: '2031-12-31T18:00:00.000Z' } });
    expect(atlas.body.version).toBe(replaced.body.version + 1);
    // null clears them; the tag stays.
    const cleared = await call('PATCH', url, { tagAttributes: { EXPIRES_ON: null } });
    expect(cleared.body.tags).toEqual(['EXPIRES_ON', 'pii']);
    expect(cleared.body).not.toHaveProperty('tagAttributes');
    // Removing the tag removes its attributes: adding it back does not bring them back.
    await call('PATCH', url, { tagAttributes: { EXPIRES_ON: { expiry_date: '2031/12/31' } } });
    expect((await call('PATCH', url, { removeTags: ['EXPIRES_ON'] })).body).not.toHaveProperty('tagAttributes');
    expect((await call('PATCH', url, { addTags: ['EXPIRES_ON'] })).body).not.toHaveProperty('tagAttributes');

    // Columns, namespaces and warehouses carry them the same way.
    const column = await call('PATCH', `${url}/columns/note`, { addTags: ['RETAINED'], tagAttributes: { RETAINED: { expiry_date: '2030/06/30' } } });
    expect(column.status, JSON.stringify(column.body)).toBe(200);
    expect(column.body).toMatchObject({ tags: ['RETAINED'], tagAttributes: { RETAINED: { expiry_date: '2030/06/30' } } });
    expect((await call('GET', `${url}/columns`)).body.items.find((c: any) => c.column === 'note').tagAttributes).toEqual({
      RETAINED: { expiry_date: '2030/06/30' },
    });
    expect(
      (await call('PATCH', `${WH}/namespaces/sales`, { tags: ['owned'], tagAttributes: { owned: { steward: 'group:finance' } } })).body.tagAttributes,
    ).toEqual({ owned: { steward: 'group:finance' } });
    expect((await call('PATCH', WH, { tags: ['prod', 'tier'], tagAttributes: { tier: { level: 'gold' } } })).body.tagAttributes).toEqual({
      tier: { level: 'gold' },
    });
    // The warehouse route replacing tags drops the attributes of a tag it drops.
    expect((await call('PATCH', '/api/v1/warehouses/wh', { tags: ['prod'] })).status).toBe(200);
    expect((await call('GET', WH)).body).not.toHaveProperty('tagAttributes');
  });

  it('refuses bad attributes with 400 naming the field, and changes nothing', async () => {
    const url = `${WH}/namespaces/sales/tables/plain`;
    await call('PATCH', url, { tags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: { expiry_date: '2031/01/01' } } });
    const before = (await call('GET', url)).body;
    const bodies: Array<[unknown, string]> = [
      [{ tagAttributes: { PII: { level: 'high' } } }, 'tagAttributes.PII'],
      [{ removeTags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: { expiry_date: '2031/01/01' } } }, 'tagAttributes.EXPIRES_ON'],
      [{ tagAttributes: { EXPIRES_ON: { expiry_date: 'next tuesday' } } }, 'tagAttributes.EXPIRES_ON.expiry_date'],
      [{ tagAttributes: { EXPIRES_ON: { expiry_date: '2031/02/30' } } }, 'tagAttributes.EXPIRES_ON.expiry_date'],
      [{ tagAttributes: { EXPIRES_ON: { expiry_date: '2031-01-01' } } }, 'tagAttributes.EXPIRES_ON.expiry_date'],
      [{ tagAttributes: { EXPIRES_ON: { expiry_date: '' } } }, 'tagAttributes.EXPIRES_ON.expiry_date'],
      [{ tagAttributes: { EXPIRES_ON: { 'bad name': 'x' } } }, 'tagAttributes.EXPIRES_ON'],
      [{ tagAttributes: { EXPIRES_ON: { expiry_date: 20310101 } } }, 'tagAttributes.EXPIRES_ON.expiry_date'],
      [{ tagAttributes: { EXPIRES_ON: 'x' } }, 'tagAttributes.EXPIRES_ON'],
      [{ tagAttributes: { EXPIRES_ON: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'x'])) } }, 'tagAttributes.EXPIRES_ON'],
    ];
    for (const [body, field] of bodies) {
      const r = await call('PATCH', url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(
        r.body.errors.map((e: any) => e.field),
        `${JSON.stringify(body)} -> ${JSON.stringify(r.body.errors)}`,
      ).toContain(field);
    }
    expect((await call('GET', url)).body).toEqual(before);
  });

  it('denies loadTable of a table whose EXPIRES_ON date has passed, through the catalog, and allows it before the date', async () => {
    expect(
      (await call('PATCH', `${WH}/namespaces/sales/tables/orders`, { addTags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: { expiry_date: rangerDay(30) } } }))
        .status,
    ).toBe(200);
    expect(
      (await call('PATCH', `${WH}/namespaces/sales/tables/archive`, { addTags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: { expiry_date: rangerDay(-1) } } }))
        .status,
    ).toBe(200);
    const load = (table: string, token = alice) => call('GET', `/iceberg/v1/wh/namespaces/sales/tables/${table}`, undefined, token);
    // Without the policy the tag is a label.
    expect((await load('archive')).status).toBe(200);

    const policy = await call('POST', '/api/v1/policies', EXPIRES_ON_POLICY);
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    expect((await load('orders')).status).toBe(200);
    const denied = await load('archive');
    expect(denied.status, JSON.stringify(denied.body)).toBe(403);
    expect(JSON.stringify(denied.body)).toContain('EXPIRES_ON');
    // Ranger's default policy names group public: the admin is denied the expired data too.
    expect((await load('archive', admin)).status).toBe(403);

    // decide reads the catalog's tags and attributes at the access time asked about.
    const archive = { warehouse: 'wh', namespace: ['sales'], table: 'archive' };
    expect(await decide(archive)).toMatchObject({ decision: 'deny', policyName: 'EXPIRES_ON' });
    expect(await decide(archive, new Date(Date.now() - 3 * DAY).toISOString())).toMatchObject({ decision: 'allow', policyName: 'alice reads sales' });
    const orders = { ...archive, table: 'orders' };
    expect(await decide(orders, new Date(Date.now() + 31 * DAY).toISOString())).toMatchObject({ decision: 'deny', policyName: 'EXPIRES_ON' });

    // Moving the date into the past takes effect on the next request: tags are read per decision, not cached.
    expect((await call('PATCH', `${WH}/namespaces/sales/tables/orders`, { tagAttributes: { EXPIRES_ON: { expiry_date: rangerDay(-2) } } })).status).toBe(200);
    expect((await load('orders')).status).toBe(403);
    // Ranger treats an EXPIRES_ON tag without a readable date as expired.
    expect((await call('PATCH', `${WH}/namespaces/sales/tables/plain`, { tags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: null } })).status).toBe(200);
    expect((await load('plain')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/policies/${policy.body.id}`)).status).toBe(204);
    expect((await load('archive')).status).toBe(200);
  });

  it('serves the tagged tables and columns to Ranger plugins (ServiceTags), attributes included', async () => {
    await call('PATCH', `${WH}/namespaces/sales/tables/archive`, { tagAttributes: { EXPIRES_ON: { expiry_date: '2020/01/01' } } });
    await call('PATCH', `${WH}/namespaces/sales/tables/archive/columns/note`, { tags: ['PII'] });
    const tagsOf = (doc: any, elements: Record<string, string>) => {
      const res = doc.serviceResources.find(
        (r: any) =>
          Object.keys(elements).length === Object.keys(r.resourceElements).length &&
          Object.entries(elements).every(
            ([k, v]) => JSON.stringify(r.resourceElements[k]) === JSON.stringify({ values: [v], isExcludes: false, isRecursive: false }),
          ),
      );
      expect(res, JSON.stringify(elements)).toBeDefined();
      return doc.resourceToTagIds[String(res.id)].map((id: number) => ({ type: doc.tags[String(id)].type, attributes: doc.tags[String(id)].attributes }));
    };
    const trino = await call('GET', '/service/tags/download/trino?lastKnownVersion=-1');
    expect(trino.status, JSON.stringify(trino.body)).toBe(200);
    expect(tagsOf(trino.body, { catalog: 'wh', schema: 'sales', table: 'archive' })).toEqual([
      { type: 'EXPIRES_ON', attributes: { expiry_date: '2020/01/01' } },
    ]);
    expect(tagsOf(trino.body, { catalog: 'wh', schema: 'sales', table: 'archive', column: 'note' })).toEqual([{ type: 'PII', attributes: {} }]);
    const hive = await call('GET', '/service/tags/secure/download/hive-wh?lastKnownVersion=-1');
    expect(hive.status).toBe(200);
    expect(tagsOf(hive.body, { database: 'sales', table: 'archive' })).toEqual([{ type: 'EXPIRES_ON', attributes: { expiry_date: '2020/01/01' } }]);
    expect((await call('GET', '/service/tags/download/hive-other?lastKnownVersion=-1')).body.serviceResources).toEqual([]);
    // The version is current until a tag or attribute changes.
    expect((await call('GET', `/service/tags/download/trino?lastKnownVersion=${trino.body.tagVersion}`)).status).toBe(304);
    await call('PATCH', `${WH}/namespaces/sales/tables/archive`, { tagAttributes: { EXPIRES_ON: { expiry_date: '2020/01/02' } } });
    const changed = await call('GET', `/service/tags/download/trino?lastKnownVersion=${trino.body.tagVersion}`);
    expect(changed.status).toBe(200);
    expect(tagsOf(changed.body, { catalog: 'wh', schema: 'sales', table: 'archive' })).toEqual([
      { type: 'EXPIRES_ON', attributes: { expiry_date: '2020/01/02' } },
    ]);
    expect((await call('GET', '/service/tags/download/tags')).status).toBe(404);
  });

  it('decide takes given tags with their attributes, and refuses bad ones naming the field', async () => {
    const resource = { warehouse: 'wh', namespace: ['sales'], table: 'other', tags: ['EXPIRES_ON'] };
    const policy = await call('POST', '/api/v1/policies', EXPIRES_ON_POLICY);
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const at = { ...resource, tagAttributes: { EXPIRES_ON: { expiry_date: '2030/01/01' } } };
    expect(await decide(at, '2029-12-31T23:59:59Z')).toMatchObject({ decision: 'allow', accessTime: '2029-12-31T23:59:59.000Z' });
    expect(await decide(at, '2030-01-01T00:00:00Z')).toMatchObject({ decision: 'deny', policyName: 'EXPIRES_ON' });
    // Given tags without attributes have none: nothing is looked up, and no date means expired.
    expect(await decide(resource, '2000-01-01T00:00:00Z')).toMatchObject({ decision: 'deny', policyName: 'EXPIRES_ON' });

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ warehouse: 'wh', namespace: ['sales'], table: 'other', tagAttributes: { EXPIRES_ON: { expiry_date: '2030/01/01' } } }, 'resource.tagAttributes'],
      [{ ...resource, tagAttributes: { PII: { level: 'high' } } }, 'resource.tagAttributes.PII'],
      [{ ...resource, tagAttributes: { EXPIRES_ON: { expiry_date: '2030/13/01' } } }, 'resource.tagAttributes.EXPIRES_ON.expiry_date'],
      [{ ...resource, tagAttributes: { EXPIRES_ON: ['2030/01/01'] } }, 'resource.tagAttributes.EXPIRES_ON'],
    ];
    for (const [r, field] of bad) {
      const answer = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access: 'select', resource: r });
      expect(answer.status, JSON.stringify(r)).toBe(400);
      expect(
        answer.body.errors.map((e: any) => e.field),
        JSON.stringify(answer.body.errors),
      ).toContain(field);
    }
    expect((await call('DELETE', `/api/v1/policies/${policy.body.id}`)).status).toBe(204);
  });

  it("takes accessed-after-expiry on tag-based policies only, with one yes/no value, as Ranger's tag service defines it", async () => {
    const before = (await call('GET', '/api/v1/policies?pageSize=500')).body.items.length;
    const expiry = (values: string[]) => [{ type: 'accessed-after-expiry', values }];
    const bad: Array<[Record<string, unknown>, string]> = [
      [
        {
          name: 'on a table',
          resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
          deny: [{ groups: ['public'], accesses: ['select'], conditions: expiry(['yes']) }],
        },
        'deny.0.conditions.0.type',
      ],
      [
        { name: 'on a url', resources: { url: { values: ['s3://b/x'] } }, allow: [{ users: ['alice'], accesses: ['read'], conditions: expiry(['yes']) }] },
        'allow.0.conditions.0.type',
      ],
      [
        {
          name: 'policy level on a table',
          resources: { warehouse: v('wh') },
          conditions: expiry(['yes']),
          allow: [{ users: ['alice'], accesses: ['select'] }],
        },
        'conditions.0.type',
      ],
      [{ ...EXPIRES_ON_POLICY, deny: [{ groups: ['public'], accesses: ['all'], conditions: expiry(['maybe']) }] }, 'deny.0.conditions.0.values'],
      [{ ...EXPIRES_ON_POLICY, deny: [{ groups: ['public'], accesses: ['all'], conditions: expiry(['yes', 'no']) }] }, 'deny.0.conditions.0.values'],
      [
        { ...EXPIRES_ON_POLICY, deny: [{ groups: ['public'], accesses: ['all'], conditions: [{ type: 'accessed-after-expiryy', values: ['yes'] }] }] },
        'deny.0.conditions.0.type',
      ],
    ];
    for (const [body, field] of bad) {
      const r = await call('POST', '/api/v1/policies', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(
        r.body.errors.map((e: any) => e.field),
        JSON.stringify(r.body.errors),
      ).toContain(field);
    }
    expect((await call('GET', '/api/v1/policies?pageSize=500')).body.items.length).toBe(before);
  });
});
