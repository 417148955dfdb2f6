import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Issue 19, Ranger's semantics through real HTTP: Ranger JSON keeps its meaning through the v2 API (a policy naming
 * only a database covers the database, not its tables) and export + re-import decide the same; the decide API's
 * refusals and its access time.
 */
const v = (...values: string[]) => ({ values });

describe.each(backends())('Ranger semantics through the API on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  const call = (method: string, url: string, body?: unknown) => p.call(method, url, { token: admin, ...(body !== undefined ? { body } : {}) });
  const decide = async (access: string, resource: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const r = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access, resource, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const sales = { warehouse: 'wh', namespace: ['sales'] };
  const orders = { ...sales, table: 'orders' };
  const decisions = async () => [
    (await decide('create', sales)).decision,
    (await decide('select', orders)).decision,
    (await decide('select', { ...orders, column: 'email' })).decision,
    (await decide('any', { warehouse: 'wh' })).decision,
  ];

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => p?.close());

  it.each([
    ['hive', { service: 'hive-wh', resources: { database: v('sales') } }, ['allow', 'deny', 'deny', 'allow']],
    ['trino', { service: 'trino', resources: { catalog: v('wh'), schema: v('sales') } }, ['allow', 'deny', 'deny', 'allow']],
    ['trino, table * without column', { service: 'trino', resources: { catalog: v('wh'), schema: v('sales'), table: v('*') } }, ['allow', 'allow', 'deny', 'allow']],
    ['trino, every level', { service: 'trino', resources: { catalog: v('wh'), schema: v('sales'), table: v('*'), column: v('*') } }, ['allow', 'allow', 'allow', 'allow']],
  ] as const)('a %s policy imported through v2 keeps Ranger\'s meaning, and its export re-imports to the same decisions', async (_kind, shape, expected) => {
    const body = { ...shape, name: 'imported', policyItems: [{ users: ['alice'], accesses: [{ type: 'all', isAllowed: true }] }] };
    const created = await call('POST', '/service/public/v2/api/policy', body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(Object.keys(created.body.resources)).toEqual(Object.keys(shape.resources));
    expect(await decisions()).toEqual(expected);

    const exported = await call('GET', `/service/public/v2/api/policy/${created.body.id}`);
    expect(exported.status).toBe(200);
    expect((await call('DELETE', `/service/public/v2/api/policy/${created.body.id}`)).status).toBe(204);
    expect(await decisions()).toEqual(['deny', 'deny', 'deny', 'deny']);
    const { id: _id, guid: _guid, ...again } = exported.body;
    const reimported = await call('POST', '/service/public/v2/api/policy', again);
    expect(reimported.status, JSON.stringify(reimported.body)).toBe(200);
    expect(reimported.body.resources).toEqual(exported.body.resources);
    expect(await decisions()).toEqual(expected);
    expect((await call('DELETE', `/service/public/v2/api/policy/${reimported.body.id}`)).status).toBe(204);
  });

  it('isDenyAllElse imported through v2 denies what its items do not allow, and is exported again', async () => {
    const wide = await call('POST', '/api/v1/policies', { name: 'alice writes wh', resources: { warehouse: v('wh') }, allow: [{ users: ['alice'], accesses: ['insert'] }] });
    expect(wide.status).toBe(201);
    expect((await decide('insert', orders)).decision).toBe('allow');
    const strict = await call('POST', '/service/public/v2/api/policy', {
      service: 'trino', name: 'orders: select only', isDenyAllElse: true,
      resources: { catalog: v('wh'), schema: v('sales'), table: v('orders'), column: v('*') },
      policyItems: [{ users: ['alice'], accesses: [{ type: 'select', isAllowed: true }] }],
    });
    expect(strict.status, JSON.stringify(strict.body)).toBe(200);
    expect(strict.body.isDenyAllElse).toBe(true);
    expect(await decide('insert', orders)).toMatchObject({ decision: 'deny', policyName: 'orders: select only' });
    expect(await decide('select', orders)).toMatchObject({ decision: 'allow', policyName: 'orders: select only' });
    expect((await call('DELETE', `/service/public/v2/api/policy/${strict.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/policies/${wide.body.id}`)).status).toBe(204);
  });

  it('answers 400 naming each unsupported condition type, and creates nothing', async () => {
    const r = await call('POST', '/service/public/v2/api/policy', {
      service: 'hive-wh', name: 'conditional', resources: { database: v('sales'), table: v('*'), column: v('*') },
      conditions: [{ type: 'expression', values: ['TAG.EXPIRES_ON > NOW()'] }],
      policyItems: [{ users: ['alice'], accesses: [{ type: 'select', isAllowed: true }], conditions: [{ type: 'ip-range', values: ['10.0.0.0/8'] }] }],
    });
    expect(r.status).toBe(400);
    const byField = Object.fromEntries(r.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(Object.keys(byField).sort()).toEqual(['conditions.0.type', 'policyItems.0.conditions.0.type']);
    expect(byField['conditions.0.type']).toContain('"expression"');
    expect(byField['policyItems.0.conditions.0.type']).toContain('"ip-range"');
    expect((await call('GET', '/service/public/v2/api/policy?serviceName=hive-wh&policyName=conditional')).body).toEqual([]);
  });

  it('decide answers 400 naming the field for a column or columns without a table, and a table without a namespace', async () => {
    const column = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access: 'select', resource: { ...sales, column: 'email' } });
    expect(column.status).toBe(400);
    expect(column.body.errors.map((e: { field: string }) => e.field)).toEqual(['resource.table']);
    const table = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access: 'select', resource: { warehouse: 'wh', table: 'orders' } });
    expect(table.status).toBe(400);
    expect(table.body.errors.map((e: { field: string }) => e.field)).toEqual(['resource.namespace']);
    const batch = await call('POST', '/api/v1/policies/decide/batch', { principal: { user: 'alice' }, requests: [{ access: 'select', resource: orders }, { access: 'select', resource: { ...sales, columns: ['email'] } }] });
    expect(batch.status).toBe(400);
    expect(batch.body.errors.map((e: { field: string }) => e.field)).toEqual(['requests.1.resource.table']);
  });

  it('decide reads validity at accessTime and says what it decided at', async () => {
    const windowed = await call('POST', '/api/v1/policies', {
      name: 'alice in 2030', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, allow: [{ users: ['alice'], accesses: ['select'] }],
      validity: [{ start: '2030/01/01 00:00:00', end: '2031/01/01 00:00:00', timeZone: 'Europe/Berlin' }],
    });
    expect(windowed.status).toBe(201);
    expect(await decide('select', orders, { accessTime: '2030-06-01T12:00:00Z' })).toMatchObject({ decision: 'allow', policyName: 'alice in 2030', audit: true, accessTime: '2030-06-01T12:00:00.000Z' });
    // 23:30 UTC on New Year's Eve is already 2031 in Berlin.
    expect(await decide('select', orders, { accessTime: '2030-12-31T23:30:00Z' })).toMatchObject({ decision: 'deny', policyId: null, accessTime: '2030-12-31T23:30:00.000Z' });
    expect(await decide('select', orders)).toMatchObject({ decision: 'deny', policyId: null });
    const bad = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access: 'select', resource: orders, accessTime: 'next tuesday' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('accessTime');
    expect((await call('DELETE', `/api/v1/policies/${windowed.body.id}`)).status).toBe(204);
  });

  describe('recurring validity (Ranger\'s recurrences)', () => {
    // Weekdays (Monday 2 to Friday 6) from 09:00 for 8 hours, New York time, from 2026 on.
    const officeHours = { start: '2026/01/01 00:00:00', timeZone: 'America/New_York', recurrences: [{ schedule: { minute: '0', hour: '9', dayOfWeek: '2-6', month: '*', year: '*' }, interval: { hours: 8 } }] };
    const at = (accessTime: string) => decide('select', orders, { accessTime }).then((d) => d.decision);
    const expectations: Array<[string, string]> = [
      ['2030-06-03T14:00:00Z', 'allow'], // Monday 10:00 EDT
      ['2030-06-03T12:30:00Z', 'deny'], // Monday 08:30 EDT
      ['2030-06-03T21:00:00Z', 'allow'], // Monday 17:00 EDT: the window's end is included
      ['2030-06-03T21:01:00Z', 'deny'],
      ['2030-06-08T14:00:00Z', 'deny'], // Saturday
      ['2030-01-07T14:30:00Z', 'allow'], // Monday 09:30 EST: the zone's winter offset
      ['2030-01-07T13:30:00Z', 'deny'], // Monday 08:30 EST
    ];
    const all = async () => Promise.all(expectations.map(([t]) => at(t)));

    it('decide answers inside and outside the window, in the schedule\'s time zone', async () => {
      const created = await call('POST', '/api/v1/policies', { name: 'office hours', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, allow: [{ users: ['alice'], accesses: ['select'] }], validity: [officeHours] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.validity).toEqual([officeHours]);
      expect(await all()).toEqual(expectations.map(([, d]) => d));

      // A replace keeps them; Ranger's JSON carries them to plugins and back.
      const replaced = await call('PUT', `/api/v1/policies/${created.body.id}`, { name: 'office hours', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, allow: [{ users: ['alice'], accesses: ['select'] }], validity: [{ ...officeHours, recurrences: [{ ...officeHours.recurrences[0]!, interval: { hours: 1 } }] }] });
      expect(replaced.status).toBe(200);
      expect(await at('2030-06-03T14:00:00Z')).toBe('allow');
      expect(await at('2030-06-03T14:01:00Z')).toBe('deny');

      const download = await p.call('GET', '/service/plugins/policies/download/hive-wh');
      const shipped = download.body.policies.find((x: { name: string }) => x.name === 'office hours');
      expect(shipped.validitySchedules).toEqual([{ startTime: '2026/01/01 00:00:00', endTime: '', timeZone: 'America/New_York', recurrences: [{ schedule: { minute: '0', hour: '9', dayOfMonth: '', dayOfWeek: '2-6', month: '*', year: '*' }, interval: { days: 0, hours: 1, minutes: 0 } }] }]);
      expect((await call('DELETE', `/api/v1/policies/${created.body.id}`)).status).toBe(204);
    });

    it('are accepted through Ranger\'s v2 API, exported, and re-imported to the same decisions', async () => {
      const body = {
        service: 'trino', name: 'office hours v2', resources: { catalog: v('wh'), schema: v('sales'), table: v('orders'), column: v('*') },
        policyItems: [{ users: ['alice'], accesses: [{ type: 'select', isAllowed: true }] }],
        validitySchedules: [{ startTime: '2026/01/01 00:00:00', endTime: '', timeZone: 'America/New_York', recurrences: [{ schedule: { minute: '0', hour: '9', dayOfMonth: '', dayOfWeek: '2-6', month: '*', year: '*' }, interval: { hours: 8 } }] }],
      };
      const created = await call('POST', '/service/public/v2/api/policy', body);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.validitySchedules[0].recurrences).toEqual([{ schedule: body.validitySchedules[0]!.recurrences[0]!.schedule, interval: { days: 0, hours: 8, minutes: 0 } }]);
      expect(await all()).toEqual(expectations.map(([, d]) => d));
      const { id, guid: _guid, ...again } = created.body;
      expect((await call('DELETE', `/service/public/v2/api/policy/${id}`)).status).toBe(204);
      const reimported = await call('POST', '/service/public/v2/api/policy', again);
      expect(reimported.status, JSON.stringify(reimported.body)).toBe(200);
      expect(reimported.body.validitySchedules).toEqual(created.body.validitySchedules);
      expect(await all()).toEqual(expectations.map(([, d]) => d));
      expect((await call('DELETE', `/service/public/v2/api/policy/${reimported.body.id}`)).status).toBe(204);
    });

    it('a malformed recurrence is a 400 naming the field, on create, replace and import', async () => {
      const bad = { ...officeHours, recurrences: [{ schedule: { minute: '*', hour: '9-25', dayOfWeek: '2-6', month: '*', year: '*' }, interval: {} }] };
      const ours = await call('POST', '/api/v1/policies', { name: 'bad hours', resources: { warehouse: v('wh') }, allow: [{ users: ['alice'], accesses: ['select'] }], validity: [bad] });
      expect(ours.status).toBe(400);
      expect(ours.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['validity.0.recurrences.0.interval', 'validity.0.recurrences.0.schedule.hour', 'validity.0.recurrences.0.schedule.minute']);
      const outOfRange = await call('POST', '/api/v1/policies', { name: 'bad hours', resources: { warehouse: v('wh') }, allow: [{ users: ['alice'], accesses: ['select'] }], validity: [{ ...officeHours, recurrences: [{ ...officeHours.recurrences[0]!, interval: { hours: 24 } }] }] });
      expect(outOfRange.status).toBe(400);
      expect(JSON.stringify(outOfRange.body.errors)).toContain('validity.0.recurrences.0.interval.hours');

      const good = await call('POST', '/api/v1/policies', { name: 'good hours', resources: { warehouse: v('wh') }, allow: [{ users: ['alice'], accesses: ['select'] }], validity: [officeHours] });
      expect(good.status).toBe(201);
      const replace = await call('PUT', `/api/v1/policies/${good.body.id}`, { name: 'good hours', resources: { warehouse: v('wh') }, allow: [{ users: ['alice'], accesses: ['select'] }], validity: [{ ...officeHours, recurrences: [{ ...officeHours.recurrences[0]!, schedule: { ...officeHours.recurrences[0]!.schedule, dayOfWeek: '' } }] }] });
      expect(replace.status).toBe(400);
      expect(replace.body.errors.map((e: { field: string }) => e.field)).toEqual(['validity.0.recurrences.0.schedule.dayOfMonth']);
      expect((await call('DELETE', `/api/v1/policies/${good.body.id}`)).status).toBe(204);

      const v2 = await call('POST', '/service/public/v2/api/policy', {
        service: 'hive-wh', name: 'bad v2 hours', resources: { database: v('sales'), table: v('*'), column: v('*') }, policyItems: [{ users: ['alice'], accesses: [{ type: 'select', isAllowed: true }] }],
        validitySchedules: [{ startTime: '2030/01/01 00:00:00', timeZone: 'UTC', recurrences: [{ schedule: { minute: '0', hour: '9', dayOfMonth: '*', dayOfWeek: '0', month: '1-12', year: '2029' }, interval: { minutes: 90 } }, { interval: { hours: 1 } }] }],
      });
      expect(v2.status).toBe(400);
      expect(v2.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['validitySchedules.0.recurrences.0.interval.minutes', 'validitySchedules.0.recurrences.0.schedule.dayOfWeek', 'validitySchedules.0.recurrences.0.schedule.year', 'validitySchedules.0.recurrences.1.schedule']);
    });
  });
});
