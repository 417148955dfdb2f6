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
    [
      'trino, table * without column',
      { service: 'trino', resources: { catalog: v('wh'), schema: v('sales'), table: v('*') } },
      ['allow', 'allow', 'deny', 'allow'],
    ],
    [
      'trino, every level',
      { service: 'trino', resources: { catalog: v('wh'), schema: v('sales'), table: v('*'), column: v('*') } },
      ['allow', 'allow', 'allow', 'allow'],
    ],
  ] as const)("a %s policy imported through v2 keeps Ranger's meaning, and its export re-imports to the same decisions", async (_kind, shape, expected) => {
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
    const wide = await call('POST', '/api/v1/policies', {
      name: 'alice writes wh',
      resources: { warehouse: v('wh') },
      allow: [{ users: ['alice'], accesses: ['insert'] }],
    });
    expect(wide.status).toBe(201);
    expect((await decide('insert', orders)).decision).toBe('allow');
    const strict = await call('POST', '/service/public/v2/api/policy', {
      service: 'trino',
      name: 'orders: select only',
      isDenyAllElse: true,
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

  describe("policy conditions (Ranger's _expression)", () => {
    const table = { warehouse: v('wh'), namespace: v('sales'), table: v('orders') };
    const as = (user: string, groups: string[], access: string, resource: Record<string, unknown>, accessTime = '2030-06-01T12:00:00Z') =>
      call('POST', '/api/v1/policies/decide', { principal: { user, groups }, access, resource, accessTime }).then((r) => {
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return r.body;
      });

    it('an allow item holds only when its expression does, evaluated at the access time', async () => {
      const created = await call('POST', '/api/v1/policies', {
        name: 'analysts until 2031',
        resources: table,
        allow: [
          {
            groups: ['public'],
            accesses: ['select'],
            conditions: [{ type: '_expression', values: ["IS_IN_GROUP('analysts') && IS_ACCESS_TIME_BEFORE('2031/01/01 00:00:00', 'Europe/Berlin')"] }],
          },
        ],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.allow[0].conditions).toEqual([
        { type: '_expression', values: ["IS_IN_GROUP('analysts') && IS_ACCESS_TIME_BEFORE('2031/01/01 00:00:00', 'Europe/Berlin')"] },
      ]);
      expect(await as('alice', ['analysts'], 'select', orders)).toMatchObject({ decision: 'allow', policyName: 'analysts until 2031' });
      expect(await as('bob', ['sales'], 'select', orders)).toMatchObject({ decision: 'deny', policyId: null, audit: true });
      // 23:30 UTC on New Year's Eve is 2031 in Berlin.
      expect(await as('alice', ['analysts'], 'select', orders, '2030-12-31T23:30:00Z')).toMatchObject({ decision: 'deny', policyId: null });
      expect((await call('DELETE', `/api/v1/policies/${created.body.id}`)).status).toBe(204);
    });

    it('conditions on deny items, exceptions, masks and row filters, and on the policy itself', async () => {
      const bodies = [
        {
          name: 'sales read',
          resources: table,
          allow: [{ groups: ['public'], accesses: ['select', 'insert'] }],
          deny: [{ groups: ['public'], accesses: ['insert'], conditions: [{ type: '_expression', values: ["!IS_IN_ROLE('admin')"] }] }],
          denyExceptions: [{ users: ['carol'], accesses: ['insert'], conditions: [{ type: '_expression', values: ["ctx.getUser() == 'carol'"] }] }],
        },
        {
          name: 'mask emails',
          type: 'masking',
          resources: { ...table, column: v('email') },
          masks: [{ groups: ['public'], type: 'MASK_NULL', conditions: [{ type: '_expression', values: ["!IS_IN_GROUP('hr')"] }] }],
        },
        {
          name: 'emea rows',
          type: 'row-filter',
          resources: table,
          rowFilters: [{ groups: ['public'], filter: "region = 'EMEA'", conditions: [{ type: '_expression', values: ["IS_IN_GROUP('emea')"] }] }],
        },
        {
          name: 'grouped only',
          resources: { warehouse: v('wh'), namespace: v('hr') },
          conditions: [{ type: '_expression', values: ['IS_NOT_IN_ANY_GROUP'] }],
          deny: [{ groups: ['public'], accesses: ['select'] }],
        },
        { name: 'hr read', resources: { warehouse: v('wh'), namespace: v('hr') }, allow: [{ groups: ['public'], accesses: ['select'] }] },
      ];
      const ids: string[] = [];
      for (const body of bodies) {
        const r = await call('POST', '/api/v1/policies', body);
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        ids.push(r.body.id);
      }
      expect(await as('bob', [], 'insert', orders)).toMatchObject({ decision: 'deny', policyName: 'sales read' });
      expect(await as('carol', [], 'insert', orders)).toMatchObject({ decision: 'allow', policyName: 'sales read' });
      const read = await as('bob', ['emea'], 'select', orders);
      expect(read.masks).toEqual([expect.objectContaining({ column: 'email', type: 'MASK_NULL' })]);
      expect(read.rowFilter).toMatchObject({ filter: "region = 'EMEA'" });
      const hr = await as('hanna', ['hr'], 'select', orders);
      expect(hr.masks).toEqual([]);
      expect(hr.rowFilter).toBeNull();
      // A policy whose own condition does not hold does not take part: the deny only reaches users without groups.
      const staff = { warehouse: 'wh', namespace: ['hr'], table: 'staff' };
      expect(await as('dora', ['hr'], 'select', staff)).toMatchObject({ decision: 'allow', policyName: 'hr read' });
      expect(await as('eve', [], 'select', staff)).toMatchObject({ decision: 'deny', policyName: 'grouped only' });
      for (const id of ids) expect((await call('DELETE', `/api/v1/policies/${id}`)).status).toBe(204);
    });

    it('an expression or condition type Lakeplane cannot evaluate is a 400 naming it, and nothing is created', async () => {
      const r = await call('POST', '/api/v1/policies', {
        name: 'unevaluable',
        resources: table,
        conditions: [{ type: '_expression', values: ["USER.dept == 'sales'"] }],
        allow: [
          {
            groups: ['public'],
            accesses: ['select'],
            conditions: [
              { type: 'ip-range', values: ['10.0.0.*'] },
              { type: '_expression', values: ["IS_ACCESS_TIME_AFTER('2030/01/01')"] },
              { type: '_expression', values: ['true', 'false'] },
            ],
          },
        ],
      });
      expect(r.status).toBe(400);
      const byField = Object.fromEntries(r.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
      expect(Object.keys(byField).sort()).toEqual([
        'allow.0.conditions.0.type',
        'allow.0.conditions.1.values.0',
        'allow.0.conditions.2.values',
        'conditions.0.values.0',
      ]);
      expect(byField['allow.0.conditions.0.type']).toContain('"ip-range"');
      expect(byField['allow.0.conditions.1.values.0']).toContain('time zone');
      expect(byField['conditions.0.values.0']).toContain('USER');

      const v2 = await call('POST', '/service/public/v2/api/policy', {
        service: 'hive-wh',
        name: 'conditional',
        resources: { database: v('sales'), table: v('*'), column: v('*') },
        conditions: [{ type: 'expression', values: ['TAG.EXPIRES_ON > NOW()'] }],
        policyItems: [
          {
            users: ['alice'],
            accesses: [{ type: 'select', isAllowed: true }],
            conditions: [
              { type: 'ip-range', values: ['10.0.0.0/8'] },
              { type: '_expression', values: ["HAS_TAG('pii')"] },
            ],
          },
        ],
      });
      expect(v2.status).toBe(400);
      expect(v2.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'conditions.0.type',
        'policyItems.0.conditions.0.type',
        'policyItems.0.conditions.1.values.0',
      ]);
      expect((await call('GET', '/service/public/v2/api/policy?serviceName=hive-wh&policyName=conditional')).body).toEqual([]);
      expect((await call('GET', '/api/v1/policies?name=unevaluable')).body.items).toEqual([]);
    });

    it("travel through Ranger's v2 API and the plugin download, whose service definition declares _expression", async () => {
      const body = {
        service: 'trino',
        name: 'conditional v2',
        resources: { catalog: v('wh'), schema: v('sales'), table: v('orders'), column: v('*') },
        conditions: [{ type: '_expression', values: ['IS_IN_ANY_GROUP'] }],
        policyItems: [
          { groups: ['public'], accesses: [{ type: 'select', isAllowed: true }], conditions: [{ type: '_expression', values: ["IS_IN_GROUP('analysts')"] }] },
        ],
      };
      const created = await call('POST', '/service/public/v2/api/policy', body);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.conditions).toEqual(body.conditions);
      expect(created.body.policyItems[0].conditions).toEqual(body.policyItems[0]!.conditions);
      expect(await as('alice', ['analysts'], 'select', orders)).toMatchObject({ decision: 'allow', policyName: 'conditional v2' });
      expect(await as('bob', ['sales'], 'select', orders)).toMatchObject({ decision: 'deny' });

      const ours = await call('GET', `/api/v1/policies/${created.body.guid}`);
      expect(ours.body.conditions).toEqual(body.conditions);
      const download = await call('GET', '/service/plugins/policies/download/trino');
      expect(download.body.serviceDef.policyConditions.map((c: { name: string; evaluator: string }) => [c.name, c.evaluator])).toEqual([
        ['_expression', 'org.apache.ranger.plugin.conditionevaluator.RangerScriptConditionEvaluator'],
      ]);
      const shipped = download.body.policies.find((x: { name: string }) => x.name === 'conditional v2');
      expect(shipped.conditions).toEqual(body.conditions);
      expect(shipped.policyItems[0].conditions).toEqual(body.policyItems[0]!.conditions);
      expect((await call('GET', '/service/plugins/policies/download/hive-wh')).body.serviceDef.policyConditions[0].name).toBe('_expression');

      const { id, guid: _guid, ...again } = created.body;
      expect((await call('DELETE', `/service/public/v2/api/policy/${id}`)).status).toBe(204);
      const reimported = await call('POST', '/service/public/v2/api/policy', again);
      expect(reimported.status, JSON.stringify(reimported.body)).toBe(200);
      expect(await as('alice', ['analysts'], 'select', orders)).toMatchObject({ decision: 'allow', policyName: 'conditional v2' });
      expect(await as('bob', ['sales'], 'select', orders)).toMatchObject({ decision: 'deny' });
      expect((await call('DELETE', `/service/public/v2/api/policy/${reimported.body.id}`)).status).toBe(204);
    });
  });

  it('decide answers 400 naming the field for a column or columns without a table, and a table without a namespace', async () => {
    const column = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access: 'select', resource: { ...sales, column: 'email' } });
    expect(column.status).toBe(400);
    expect(column.body.errors.map((e: { field: string }) => e.field)).toEqual(['resource.table']);
    const table = await call('POST', '/api/v1/policies/decide', {
      principal: { user: 'alice' },
      access: 'select',
      resource: { warehouse: 'wh', table: 'orders' },
    });
    expect(table.status).toBe(400);
    expect(table.body.errors.map((e: { field: string }) => e.field)).toEqual(['resource.namespace']);
    const batch = await call('POST', '/api/v1/policies/decide/batch', {
      principal: { user: 'alice' },
      requests: [
        { access: 'select', resource: orders },
        { access: 'select', resource: { ...sales, columns: ['email'] } },
      ],
    });
    expect(batch.status).toBe(400);
    expect(batch.body.errors.map((e: { field: string }) => e.field)).toEqual(['requests.1.resource.table']);
  });

  it('decide reads validity at accessTime and says what it decided at', async () => {
    const windowed = await call('POST', '/api/v1/policies', {
      name: 'alice in 2030',
      resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
      allow: [{ users: ['alice'], accesses: ['select'] }],
      validity: [{ start: '2030/01/01 00:00:00', end: '2031/01/01 00:00:00', timeZone: 'Europe/Berlin' }],
    });
    expect(windowed.status).toBe(201);
    expect(await decide('select', orders, { accessTime: '2030-06-01T12:00:00Z' })).toMatchObject({
      decision: 'allow',
      policyName: 'alice in 2030',
      audit: true,
      accessTime: '2030-06-01T12:00:00.000Z',
    });
    // 23:30 UTC on New Year's Eve is already 2031 in Berlin.
    expect(await decide('select', orders, { accessTime: '2030-12-31T23:30:00Z' })).toMatchObject({
      decision: 'deny',
      policyId: null,
      accessTime: '2030-12-31T23:30:00.000Z',
    });
    expect(await decide('select', orders)).toMatchObject({ decision: 'deny', policyId: null });
    const bad = await call('POST', '/api/v1/policies/decide', { principal: { user: 'alice' }, access: 'select', resource: orders, accessTime: 'next tuesday' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('accessTime');
    expect((await call('DELETE', `/api/v1/policies/${windowed.body.id}`)).status).toBe(204);
  });

  describe("recurring validity (Ranger's recurrences)", () => {
    // Weekdays (Monday 2 to Friday 6) from 09:00 for 8 hours, New York time, from 2026 on.
    const officeHours = {
      start: '2026/01/01 00:00:00',
      timeZone: 'America/New_York',
      recurrences: [{ schedule: { minute: '0', hour: '9', dayOfWeek: '2-6', month: '*', year: '*' }, interval: { hours: 8 } }],
    };
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

    it("decide answers inside and outside the window, in the schedule's time zone", async () => {
      const created = await call('POST', '/api/v1/policies', {
        name: 'office hours',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
        validity: [officeHours],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.validity).toEqual([officeHours]);
      expect(await all()).toEqual(expectations.map(([, d]) => d));

      // A replace keeps them; Ranger's JSON carries them to plugins and back.
      const replaced = await call('PUT', `/api/v1/policies/${created.body.id}`, {
        name: 'office hours',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
        validity: [{ ...officeHours, recurrences: [{ ...officeHours.recurrences[0]!, interval: { hours: 1 } }] }],
      });
      expect(replaced.status).toBe(200);
      expect(await at('2030-06-03T14:00:00Z')).toBe('allow');
      expect(await at('2030-06-03T14:01:00Z')).toBe('deny');

      const download = await call('GET', '/service/plugins/policies/download/hive-wh');
      const shipped = download.body.policies.find((x: { name: string }) => x.name === 'office hours');
      expect(shipped.validitySchedules).toEqual([
        {
          startTime: '2026/01/01 00:00:00',
          endTime: '',
          timeZone: 'America/New_York',
          recurrences: [
            { schedule: { minute: '0', hour: '9', dayOfMonth: '', dayOfWeek: '2-6', month: '*', year: '*' }, interval: { days: 0, hours: 1, minutes: 0 } },
          ],
        },
      ]);
      expect((await call('DELETE', `/api/v1/policies/${created.body.id}`)).status).toBe(204);
    });

    it("are accepted through Ranger's v2 API, exported, and re-imported to the same decisions", async () => {
      const body = {
        service: 'trino',
        name: 'office hours v2',
        resources: { catalog: v('wh'), schema: v('sales'), table: v('orders'), column: v('*') },
        policyItems: [{ users: ['alice'], accesses: [{ type: 'select', isAllowed: true }] }],
        validitySchedules: [
          {
            startTime: '2026/01/01 00:00:00',
            endTime: '',
            timeZone: 'America/New_York',
            recurrences: [{ schedule: { minute: '0', hour: '9', dayOfMonth: '', dayOfWeek: '2-6', month: '*', year: '*' }, interval: { hours: 8 } }],
          },
        ],
      };
      const created = await call('POST', '/service/public/v2/api/policy', body);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.validitySchedules[0].recurrences).toEqual([
        { schedule: body.validitySchedules[0]!.recurrences[0]!.schedule, interval: { days: 0, hours: 8, minutes: 0 } },
      ]);
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
      const ours = await call('POST', '/api/v1/policies', {
        name: 'bad hours',
        resources: { warehouse: v('wh') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
        validity: [bad],
      });
      expect(ours.status).toBe(400);
      expect(ours.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'validity.0.recurrences.0.interval',
        'validity.0.recurrences.0.schedule.hour',
        'validity.0.recurrences.0.schedule.minute',
      ]);
      const outOfRange = await call('POST', '/api/v1/policies', {
        name: 'bad hours',
        resources: { warehouse: v('wh') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
        validity: [{ ...officeHours, recurrences: [{ ...officeHours.recurrences[0]!, interval: { hours: 24 } }] }],
      });
      expect(outOfRange.status).toBe(400);
      expect(JSON.stringify(outOfRange.body.errors)).toContain('validity.0.recurrences.0.interval.hours');

      const good = await call('POST', '/api/v1/policies', {
        name: 'good hours',
        resources: { warehouse: v('wh') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
        validity: [officeHours],
      });
      expect(good.status).toBe(201);
      const replace = await call('PUT', `/api/v1/policies/${good.body.id}`, {
        name: 'good hours',
        resources: { warehouse: v('wh') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
        validity: [{ ...officeHours, recurrences: [{ ...officeHours.recurrences[0]!, schedule: { ...officeHours.recurrences[0]!.schedule, dayOfWeek: '' } }] }],
      });
      expect(replace.status).toBe(400);
      expect(replace.body.errors.map((e: { field: string }) => e.field)).toEqual(['validity.0.recurrences.0.schedule.dayOfMonth']);
      expect((await call('DELETE', `/api/v1/policies/${good.body.id}`)).status).toBe(204);

      const v2 = await call('POST', '/service/public/v2/api/policy', {
        service: 'hive-wh',
        name: 'bad v2 hours',
        resources: { database: v('sales'), table: v('*'), column: v('*') },
        policyItems: [{ users: ['alice'], accesses: [{ type: 'select', isAllowed: true }] }],
        validitySchedules: [
          {
            startTime: '2030/01/01 00:00:00',
            timeZone: 'UTC',
            recurrences: [
              { schedule: { minute: '0', hour: '9', dayOfMonth: '*', dayOfWeek: '0', month: '1-12', year: '2029' }, interval: { minutes: 90 } },
              { interval: { hours: 1 } },
            ],
          },
        ],
      });
      expect(v2.status).toBe(400);
      expect(v2.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'validitySchedules.0.recurrences.0.interval.minutes',
        'validitySchedules.0.recurrences.0.schedule.dayOfWeek',
        'validitySchedules.0.recurrences.0.schedule.year',
        'validitySchedules.0.recurrences.1.schedule',
      ]);
    });
  });

  describe("url resources (Ranger's hive url: storage paths)", () => {
    const ask = (user: string, groups: string[], access: string, url: string) =>
      call('POST', '/api/v1/policies/decide', { principal: { user, groups }, access, resource: { url } }).then((r) => {
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return r.body;
      });

    it('decides who may read and write files under a path, on the normalized path', async () => {
      const landing = await call('POST', '/api/v1/policies', {
        name: 'landing zone',
        resources: { url: { values: ['s3://lake/landing'], recursive: true } },
        allow: [
          { groups: ['analysts'], accesses: ['read'] },
          { groups: ['etl'], accesses: ['read', 'write'] },
        ],
      });
      expect(landing.status, JSON.stringify(landing.body)).toBe(201);
      const secrets = await call('POST', '/api/v1/policies', {
        name: 'no secrets',
        resources: { url: { values: ['s3://lake/landing/secret*'], recursive: true } },
        deny: [{ groups: ['public'], accesses: ['all'] }],
      });
      expect(secrets.status, JSON.stringify(secrets.body)).toBe(201);

      expect(await ask('ana', ['analysts'], 'read', 's3://lake/landing/2030/a.csv')).toMatchObject({
        decision: 'allow',
        policyName: 'landing zone',
        url: 's3://lake/landing/2030/a.csv',
        masks: [],
        rowFilter: null,
      });
      expect(await ask('ana', ['analysts'], 'write', 's3://lake/landing/2030/a.csv')).toMatchObject({ decision: 'deny', policyId: null, audit: true });
      expect(await ask('ed', ['etl'], 'write', 's3://lake/landing')).toMatchObject({ decision: 'allow', policyName: 'landing zone' });
      expect(await ask('ed', ['etl'], 'write', 's3://lake/landing2/x')).toMatchObject({ decision: 'deny', policyId: null, audit: false });
      expect(await ask('ana', ['analysts'], 'read', 's3://lake/landing/secrets/keys.txt')).toMatchObject({ decision: 'deny', policyName: 'no secrets' });
      // No spelling reaches around a policy: . and .. are resolved and segments decoded before matching.
      expect(await ask('ana', ['analysts'], 'read', 'S3://lake/landing/tmp/../secrets//keys.txt')).toMatchObject({
        decision: 'deny',
        policyName: 'no secrets',
        url: 's3://lake/landing/secrets/keys.txt',
      });
      expect(await ask('ana', ['analysts'], 'read', 's3://lake/landing/%73ecrets/keys.txt')).toMatchObject({ decision: 'deny', policyName: 'no secrets' });
      expect(await ask('ana', ['analysts'], 'read', 's3://lake/landing/%2e%2e/finance/q1.csv')).toMatchObject({
        decision: 'deny',
        policyId: null,
        url: 's3://lake/finance/q1.csv',
      });
      expect(await ask('ana', ['analysts'], 'any', 's3://lake/landing/x')).toMatchObject({ decision: 'allow' });
      // Storage-path policies say nothing about catalog objects.
      expect(await ask('ed', ['etl'], 'any', 's3://lake/landing')).toMatchObject({ decision: 'allow' });
      const catalog = await call('POST', '/api/v1/policies/decide', {
        principal: { user: 'ed', groups: ['etl'] },
        access: 'any',
        resource: { warehouse: 'wh' },
      });
      expect(catalog.body).toMatchObject({ decision: 'deny', policyId: null });

      const hive = await call('GET', '/service/plugins/policies/download/hive-wh');
      const shipped = hive.body.policies.find((x: { name: string }) => x.name === 'landing zone');
      expect(shipped.resources).toEqual({ url: { values: ['s3://lake/landing'], isExcludes: false, isRecursive: true } });
      expect(shipped.policyItems.map((i: { accesses: unknown }) => i.accesses)).toEqual([
        [{ type: 'read', isAllowed: true }],
        [
          { type: 'read', isAllowed: true },
          { type: 'write', isAllowed: true },
        ],
      ]);
      expect(hive.body.serviceDef.resources.find((r: { name: string }) => r.name === 'url')).toMatchObject({
        parent: '',
        level: 10,
        recursiveSupported: true,
        excludesSupported: false,
        matcher: 'org.apache.ranger.plugin.resourcematcher.RangerURLResourceMatcher',
        matcherOptions: { wildCard: 'true', ignoreCase: 'false' },
      });
      expect((await call('GET', '/service/plugins/policies/download/hive-other')).body.policies.map((x: { name: string }) => x.name)).toContain('landing zone');
      expect((await call('GET', '/service/plugins/policies/download/trino')).body.policies.map((x: { name: string }) => x.name)).not.toContain('landing zone');
      for (const id of [landing.body.id, secrets.body.id]) expect((await call('DELETE', `/api/v1/policies/${id}`)).status).toBe(204);
    });

    it('refuses what does not fit, naming the field', async () => {
      const decideBad = async (body: Record<string, unknown>) => {
        const r = await call('POST', '/api/v1/policies/decide', { principal: { user: 'ana' }, ...body });
        expect(r.status).toBe(400);
        return r.body.errors.map((e: { field: string }) => e.field);
      };
      expect(await decideBad({ access: 'select', resource: { url: 's3://lake/x' } })).toEqual(['access']);
      expect(await decideBad({ access: 'read', resource: orders })).toEqual(['access']);
      expect(await decideBad({ access: 'read', resource: { url: 's3://lake/x', warehouse: 'wh' } })).toEqual(['resource.url']);
      expect(await decideBad({ access: 'read', resource: { url: 's3://lake/../etc/passwd' } })).toEqual(['resource.url']);
      expect(await decideBad({ access: 'read', resource: { url: '/etc/passwd' } })).toEqual(['resource.url']);
      expect(await decideBad({ access: 'select', resource: {} })).toEqual(['resource.warehouse']);

      const policyBad = async (body: Record<string, unknown>) => {
        const r = await call('POST', '/api/v1/policies', { name: 'bad url', ...body });
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        return r.body.errors.map((e: { field: string }) => e.field).sort();
      };
      const url = { values: ['s3://lake/x'], recursive: false };
      expect(await policyBad({ resources: { url, warehouse: v('wh') }, allow: [{ users: ['a'], accesses: ['read'] }] })).toEqual(['resources']);
      expect(await policyBad({ resources: { url }, allow: [{ users: ['a'], accesses: ['select', 'read'] }] })).toEqual(['allow.0.accesses']);
      expect(await policyBad({ resources: { warehouse: v('wh') }, allow: [{ users: ['a'], accesses: ['write'] }] })).toEqual(['allow.0.accesses']);
      expect(
        await policyBad({
          resources: { url: { values: ['S3://lake', 's3://lake/a/../b', 's3://lake/{USER}'] } },
          allow: [{ users: ['a'], accesses: ['read'] }],
        }),
      ).toEqual(['resources.url.values.0', 'resources.url.values.1', 'resources.url.values.2']);
      expect(await policyBad({ type: 'row-filter', resources: { url }, rowFilters: [{ users: ['a'], filter: '1 = 1' }] })).toEqual(['type']);
    });

    it("travel through Ranger's v2 API in a hive service, and are refused in trino", async () => {
      const body = {
        service: 'hive-wh',
        name: 'exports',
        resources: { url: { values: ['s3://lake/exports/'], isRecursive: true } },
        policyItems: [
          {
            users: ['ana'],
            accesses: [
              { type: 'read', isAllowed: true },
              { type: 'write', isAllowed: true },
            ],
          },
        ],
      };
      const created = await call('POST', '/service/public/v2/api/policy', body);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.resources).toEqual({ url: { values: ['s3://lake/exports/'], isExcludes: false, isRecursive: true } });
      expect((await call('GET', `/api/v1/policies/${created.body.guid}`)).body.resources).toEqual({ url: { values: ['s3://lake/exports/'], recursive: true } });
      // Ranger reads "dir/" recursive as "dir/*": what is below, not the directory itself.
      expect(await ask('ana', [], 'write', 's3://lake/exports/2030/x.parquet')).toMatchObject({ decision: 'allow', policyName: 'exports' });
      expect(await ask('ana', [], 'write', 's3://lake/exports')).toMatchObject({ decision: 'deny' });
      const byId = await call('GET', `/service/public/v2/api/policy/${created.body.id}`);
      expect(byId.body).toMatchObject({ service: expect.stringMatching(/^hive-/), resources: created.body.resources });
      const { id, guid: _guid, ...again } = created.body;
      expect((await call('DELETE', `/service/public/v2/api/policy/${id}`)).status).toBe(204);
      const reimported = await call('POST', '/service/public/v2/api/policy', again);
      expect(reimported.status, JSON.stringify(reimported.body)).toBe(200);
      expect(await ask('ana', [], 'write', 's3://lake/exports/2030/x.parquet')).toMatchObject({ decision: 'allow', policyName: 'exports' });
      expect((await call('DELETE', `/service/public/v2/api/policy/${reimported.body.id}`)).status).toBe(204);

      const trino = await call('POST', '/service/public/v2/api/policy', { ...body, service: 'trino', name: 'exports in trino' });
      expect(trino.status).toBe(400);
      expect(trino.body.errors.map((e: { field: string }) => e.field)).toContain('resources.url');
      const mixed = await call('POST', '/service/public/v2/api/policy', { ...body, name: 'mixed', resources: { ...body.resources, database: v('sales') } });
      expect(mixed.status).toBe(400);
      expect(mixed.body.errors.map((e: { field: string }) => e.field)).toContain('resources');
    });
  });

  describe("tag-based policies in Ranger's tag service, with accessed-after-expiry", () => {
    // Ranger's default tag policy, as its admin creates it (RangerServiceTag): EXPIRES_ON, a deny for public with
    // accessed-after-expiry ["yes"], here with every access of both components.
    const expiresOn = {
      service: 'tags',
      name: 'EXPIRES_ON',
      description: 'Policy for data with EXPIRES_ON tag',
      resources: { tag: v('EXPIRES_ON') },
      denyPolicyItems: [
        {
          groups: ['public'],
          accesses: [
            { type: 'trino:all', isAllowed: true },
            { type: 'hive:all', isAllowed: true },
          ],
          conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }],
          delegateAdmin: false,
        },
      ],
    };
    const tagged = (date: string) => ({
      warehouse: 'wh',
      namespace: ['sales'],
      table: 'orders',
      tags: ['EXPIRES_ON'],
      tagAttributes: { EXPIRES_ON: { expiry_date: date } },
    });

    it("imports Ranger's EXPIRES_ON policy, decides with it, exports it, and ships it to plugins as tagPolicies", async () => {
      const readers = await call('POST', '/api/v1/policies', {
        name: 'alice reads orders',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
        allow: [{ users: ['alice'], accesses: ['select'] }],
      });
      expect(readers.status).toBe(201);
      const created = await call('POST', '/service/public/v2/api/policy', expiresOn);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body).toMatchObject({
        service: 'tags',
        serviceType: 'tag',
        resources: { tag: { values: ['EXPIRES_ON'], isExcludes: false, isRecursive: false } },
      });
      expect(created.body.denyPolicyItems[0]).toMatchObject({ groups: ['public'], conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }] });
      expect(created.body.denyPolicyItems[0].accesses.map((a: { type: string }) => a.type)).toEqual(['trino:all', 'hive:all']);
      // Ours: a tag-based deny with the condition.
      const ours = (await call('GET', `/api/v1/policies/${created.body.guid}`)).body;
      expect(ours).toMatchObject({
        resources: { tags: { values: ['EXPIRES_ON'] } },
        deny: [{ groups: ['public'], accesses: ['all'], conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }] }],
      });

      expect(await decide('select', tagged('2030/01/01'), { accessTime: '2029-12-31T23:59:59Z' })).toMatchObject({
        decision: 'allow',
        policyName: 'alice reads orders',
      });
      expect(await decide('select', tagged('2030/01/01'), { accessTime: '2030-01-01T00:00:00Z' })).toMatchObject({
        decision: 'deny',
        policyName: 'EXPIRES_ON',
      });

      // Export by id (the tag service, unnamed) and by service + name; the resource services do not list it.
      expect((await call('GET', `/service/public/v2/api/policy/${created.body.id}`)).body).toMatchObject({ service: 'tags', name: 'EXPIRES_ON' });
      expect((await call('GET', '/service/public/v2/api/service/tags/policy/EXPIRES_ON')).body.id).toBe(created.body.id);
      expect((await call('GET', '/service/public/v2/api/service/trino/policy')).body.map((x: { name: string }) => x.name)).not.toContain('EXPIRES_ON');

      // Plugins get it with their service's policies, and the tag service definition that declares the condition.
      for (const svc of ['trino', 'hive-wh']) {
        const dl = await call('GET', `/service/plugins/policies/download/${svc}`);
        expect(dl.status).toBe(200);
        expect(dl.body.policies.map((x: { name: string }) => x.name)).not.toContain('EXPIRES_ON');
        expect(dl.body.tagPolicies).toMatchObject({
          serviceName: 'tags',
          policyVersion: dl.body.policyVersion,
          serviceDef: { name: 'tag', resources: [{ name: 'tag' }] },
        });
        expect(dl.body.tagPolicies.policies.map((x: { name: string }) => x.name)).toEqual(['EXPIRES_ON']);
        expect(dl.body.tagPolicies.serviceDef.policyConditions.find((c: { name: string }) => c.name === 'accessed-after-expiry')).toMatchObject({
          evaluatorOptions: { scriptTemplate: "ctx.isAccessedAfter('expiry_date');" },
        });
        expect(dl.body.tagPolicies.serviceDef.accessTypes.map((t: { name: string }) => t.name)).toEqual(
          expect.arrayContaining(['trino:select', 'hive:select', 'hive:update']),
        );
      }
      expect((await call('GET', '/service/plugins/policies/download/tags')).status).toBe(404);

      // Export + re-import decide the same.
      const { id, guid: _guid, ...again } = created.body;
      expect((await call('DELETE', `/service/public/v2/api/policy/${id}`)).status).toBe(204);
      expect(await decide('select', tagged('2030/01/01'), { accessTime: '2030-01-01T00:00:00Z' })).toMatchObject({ decision: 'allow' });
      const reimported = await call('POST', '/service/public/v2/api/policy', again);
      expect(reimported.status, JSON.stringify(reimported.body)).toBe(200);
      expect(reimported.body.denyPolicyItems).toEqual(created.body.denyPolicyItems);
      expect(await decide('select', tagged('2030/01/01'), { accessTime: '2030-01-01T00:00:00Z' })).toMatchObject({
        decision: 'deny',
        policyName: 'EXPIRES_ON',
      });
      expect((await call('DELETE', `/service/public/v2/api/policy/${reimported.body.id}`)).status).toBe(204);
      expect((await call('DELETE', `/api/v1/policies/${readers.body.id}`)).status).toBe(204);
    });

    it('refuses what Ranger would not take, or Lakeplane could not keep, naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        // Ranger's admin: "accessed-after-expiry: is not a valid condition-type" outside the tag service.
        [
          {
            service: 'trino',
            name: 'x',
            resources: { catalog: v('wh') },
            denyPolicyItems: [{ groups: ['public'], accesses: [{ type: 'select' }], conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }] }],
          },
          'denyPolicyItems.0.conditions.0.type',
        ],
        [
          {
            service: 'hive-wh',
            name: 'x',
            resources: { database: v('sales') },
            conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }],
            policyItems: [{ users: ['alice'], accesses: [{ type: 'select' }] }],
          },
          'conditions.0.type',
        ],
        [
          { ...expiresOn, denyPolicyItems: [{ ...expiresOn.denyPolicyItems[0], conditions: [{ type: 'accessed-after-expiry', values: [] }] }] },
          'denyPolicyItems.0.conditions.0.values',
        ],
        [
          { ...expiresOn, denyPolicyItems: [{ ...expiresOn.denyPolicyItems[0], conditions: [{ type: 'ip-range', values: ['10.*'] }] }] },
          'denyPolicyItems.0.conditions.0.type',
        ],
        [{ ...expiresOn, denyPolicyItems: [{ groups: ['public'], accesses: [{ type: 'select' }] }] }, 'denyPolicyItems.0.accesses.0.type'],
        [{ ...expiresOn, denyPolicyItems: [{ groups: ['public'], accesses: [{ type: 'kafka:publish' }] }] }, 'denyPolicyItems.0.accesses.0.type'],
        [
          { ...expiresOn, denyPolicyItems: [{ groups: ['public'], accesses: [{ type: 'trino:insert' }, { type: 'hive:select' }] }] },
          'denyPolicyItems.0.accesses',
        ],
        [{ ...expiresOn, resources: { tag: v('EXPIRES_ON'), database: v('sales') } }, 'resources'],
        [{ ...expiresOn, resources: { tag: { values: ['EXPIRES_ON'], isExcludes: true } } }, 'resources.tag.isExcludes'],
        [{ ...expiresOn, policyType: 1 }, 'policyType'],
      ];
      for (const [body, field] of cases) {
        const r = await call('POST', '/service/public/v2/api/policy', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(
          r.body.errors.map((e: { field: string }) => e.field),
          JSON.stringify(r.body.errors),
        ).toContain(field);
      }
      expect((await call('GET', '/service/public/v2/api/service/tags/policy')).body).toEqual([]);
    });
  });
});
