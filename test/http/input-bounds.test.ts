import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

const long = (n: number, c = 'x') => c.repeat(n);
const job = (extra: Record<string, unknown>) => ({ name: 'bounded', type: 'python', mainApplicationFile: 'local:///a.py', ...extra });
const rangerPolicy = (extra: Record<string, unknown>) => ({
  service: 'trino',
  name: 'bounded',
  resources: { catalog: { values: ['wh'] } },
  policyItems: [{ users: ['a'], accesses: [{ type: 'select' }] }],
  ...extra,
});

/**
 * Every free-text field a client sends is bounded in its schema (issue 19): a value past the bound is a 400 naming the
 * field, through real HTTP, and nothing is stored. One route per function at least; map keys too, whose bounds
 * TypeBox's Record used to drop.
 */
describe.each(backends())('input bounds on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    // A lakehouse that auto-starts: a statement that passed validation would be stored before it is run.
    expect((await p.call('POST', '/api/v1/lakehouses', { token: admin, body: { name: 'lh' } })).status).toBe(201);
  }, 60_000);
  afterAll(async () => p?.close());

  const cases: Array<[string, string, string, unknown, string, string]> = [
    // [function, method, route, body, field, what lists the stored things]
    [
      'catalog',
      'POST',
      '/api/v1/warehouses',
      { name: 'wh', storageLocation: 'file:///tmp/wh', properties: { [long(257)]: 'v' } },
      'properties',
      '/api/v1/warehouses',
    ],
    [
      'catalog',
      'POST',
      '/api/v1/warehouses',
      { name: 'wh', storageLocation: 'file:///tmp/wh', properties: { k: long(8193) } },
      `properties.k`,
      '/api/v1/warehouses',
    ],
    [
      'iam',
      'POST',
      '/api/v1/identity-providers',
      { name: 'idp', issuer: `https://idp.example.com/${long(2048)}`, audience: 'lakeplane' },
      'issuer',
      '/api/v1/identity-providers',
    ],
    ['iam', 'POST', '/api/v1/groups', { name: 'g', description: long(1001) }, 'description', '/api/v1/groups'],
    ['jobs', 'POST', '/api/v1/jobs', job({ sparkConf: { [`spark.${long(251)}`]: '1' } }), 'sparkConf', '/api/v1/jobs'],
    ['jobs', 'POST', '/api/v1/jobs', job({ deps: { packages: [`org.example:${long(600)}:1.0`] } }), 'deps.packages.0', '/api/v1/jobs'],
    ['lakehouses', 'POST', '/api/v1/lakehouses', { name: 'big', sparkConf: { [`spark.${long(251)}`]: '1' } }, 'sparkConf', '/api/v1/lakehouses'],
    ['lakehouses', 'POST', '/api/v1/lakehouses', { name: 'big', description: long(4001) }, 'description', '/api/v1/lakehouses'],
    [
      'policies',
      'POST',
      '/api/v1/policies',
      { name: long(256), resources: { warehouse: { values: ['wh'] } }, allow: [{ users: ['a'], accesses: ['select'] }] },
      'name',
      '/api/v1/policies',
    ],
    ['policies (Ranger)', 'POST', '/service/public/v2/api/policy', rangerPolicy({ description: long(4001) }), 'description', '/api/v1/policies'],
    [
      'policies (decide)',
      'POST',
      '/api/v1/policies/decide',
      { access: 'select', resource: { warehouse: 'wh', table: long(256) } },
      'resource.table',
      '/api/v1/policies',
    ],
    [
      'sql',
      'POST',
      '/api/v1/sql/statements',
      { lakehouse: 'lh', statement: `select 1 -- ${long(1_000_000)}`, wait_timeout: '0s' },
      'statement',
      '/api/v1/sql/history',
    ],
    [
      'sql',
      'POST',
      '/api/v1/sql/statements',
      { lakehouse: 'lh', statement: 'select 1', wait_timeout: '0s', parameters: [{ name: 'p', value: long(65_537) }] },
      'parameters.0.value',
      '/api/v1/sql/history',
    ],
    [
      'webhooks',
      'POST',
      '/api/v1/webhooks',
      { name: 'hook', url: 'https://hooks.example.com/x', eventTypes: [`io.lakeplane.${long(250)}`] },
      'eventTypes.0',
      '/api/v1/webhooks',
    ],
    ['webhooks', 'POST', '/api/v1/webhooks', { name: long(201), url: 'https://hooks.example.com/x', eventTypes: ['*'] }, 'name', '/api/v1/webhooks'],
  ];

  it.each(cases)('%s: %s %s past its bound is a 400 naming %s', async (_fn, method, route, body, field, listing) => {
    const before = (await p.call('GET', listing, { token: admin })).body;
    const r = await p.call(method, route, { token: admin, body });
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await p.call('GET', listing, { token: admin })).body).toEqual(before);
  });

  it('names a map whose key is too long, and says so', async () => {
    const r = await p.call('POST', '/api/v1/lakehouses', { token: admin, body: { name: 'big', sparkConf: { [`spark.${long(251)}`]: '1' } } });
    expect(r.body.errors).toEqual([{ in: 'body', field: 'sparkConf', message: 'has a key that must NOT have more than 256 characters' }]);
  });

  it('a row limit past what a number holds exactly is a 400 naming it, not a 500 from PostgreSQL', async () => {
    const r = await p.call('POST', '/api/v1/sql/statements', {
      token: admin,
      body: '{"lakehouse":"lh","statement":"select 1","wait_timeout":"0s","row_limit":1e22}',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'row_limit' })]);
  });

  it('query filters are bounded like the fields they match', async () => {
    for (const url of [
      `/api/v1/jobs?owner=${long(257)}`,
      `/api/v1/runs?owner=${long(257)}`,
      `/api/v1/lakehouses?tag=${long(65)}`,
      `/api/v1/sql/history?user=${long(257)}`,
    ]) {
      const r = await p.call('GET', url, { token: admin });
      expect(r.status, url).toBe(400);
    }
  });

  it('values at their bounds are taken', async () => {
    const r = await p.call('POST', '/api/v1/lakehouses', {
      token: admin,
      body: { name: 'at-bounds', description: long(4000), sparkConf: { [`spark.${long(250)}`]: long(8192) } },
    });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
  });
});
