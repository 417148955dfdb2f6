import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Apache Ranger's surface, through real HTTP, shaped as Trino's Ranger plugin reads it (../shared/ref/trino/NOTES.md):
 * the policy and role downloads with lastKnownVersion / 304, the trino and hive service views of our policies, and
 * the public v2 policy API.
 */
const v = (...values: string[]) => ({ values });

describe.each(backends())('Ranger compatibility on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  /** What Trino's Ranger plugin sends with policy.rest.client.username and .password: an admin service account's client id and secret. */
  let pluginBasic: string;
  /** token null: a plugin's poll, with the plugin's Basic credential. */
  const call = (method: string, url: string, body?: unknown, token: string | null = admin) =>
    p.call(method, url, { ...(token ? { token } : { headers: { authorization: pluginBasic } }), ...(body !== undefined ? { body } : {}) });
  const anonymous = (url: string) => p.call('GET', url);
  const download = (service: string, lastKnownVersion?: number) =>
    call(
      'GET',
      `/service/plugins/policies/download/${service}?supportsPolicyDeltas=false&pluginId=trino@host-${service}&clusterName=&lastActivationTime=0&pluginCapabilities=7ffff${lastKnownVersion !== undefined ? `&lastKnownVersion=${lastKnownVersion}` : ''}`,
      undefined,
      null,
    );

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    const sa = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'trino-ranger', isAdmin: true } });
    expect(sa.status).toBe(201);
    pluginBasic = 'Basic ' + Buffer.from(`${sa.body.credentials.clientId}:${sa.body.credentials.clientSecret}`).toString('base64');
    const policies = [
      {
        name: 'analysts read sales',
        resources: { warehouse: v('wh'), namespace: { values: ['sales'], recursive: true }, table: v('*') },
        allow: [{ groups: ['analysts'], accesses: ['select', 'update'] }],
        deny: [{ users: ['mallory'], accesses: ['all'] }],
      },
      {
        name: 'mask email',
        type: 'masking',
        priority: 'override',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('email') },
        masks: [
          { groups: ['public'], type: 'MASK_SHOW_LAST_4' },
          { users: ['alice'], type: 'CUSTOM', expression: 'upper({col})' },
        ],
      },
      {
        name: 'emea rows',
        type: 'row-filter',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
        rowFilters: [{ groups: ['emea'], filter: "region = 'EMEA'" }],
        validity: [{ start: '2026/01/01 00:00:00', end: '2036/01/01 00:00:00', timeZone: 'Europe/Berlin' }],
      },
      { name: 'other warehouse', resources: { warehouse: v('lake2') }, allow: [{ users: ['bob'], accesses: ['all'] }] },
      { name: 'pii tag', resources: { tags: { values: ['pii'] } }, deny: [{ groups: ['public'], accesses: ['select'] }] },
    ];
    for (const body of policies) expect((await call('POST', '/api/v1/policies', body)).status).toBe(201);
  }, 60_000);
  afterAll(async () => p?.close());

  it('serves the trino service as ServicePolicies: resources mapped, every level present, tag policies left out', async () => {
    const r = await download('trino');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const doc = r.body;
    expect(doc).toMatchObject({
      serviceName: 'trino',
      serviceId: 1,
      auditMode: 'audit-default',
      serviceDef: { name: 'trino', options: { enableDenyAndExceptionsInPolicies: 'true' } },
    });
    expect(typeof doc.policyVersion).toBe('number');
    expect(typeof doc.policyUpdateTime).toBe('number');
    const byName = new Map<string, any>(doc.policies.map((x: any) => [x.name, x]));
    expect([...byName.keys()].sort()).toEqual([
      'all - warehouse, namespace, table, column',
      'analysts read sales',
      'emea rows',
      'lakeplane: everyone may run queries',
      'lakeplane: users act as themselves',
      'mask email',
      'other warehouse',
    ]);

    const sales = byName.get('analysts read sales');
    expect(sales).toMatchObject({
      service: 'trino',
      serviceType: 'trino',
      policyType: 0,
      policyPriority: 0,
      isEnabled: true,
      isAuditEnabled: true,
      version: 1,
    });
    expect(typeof sales.id).toBe('number');
    expect(sales.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(sales.resources).toEqual({
      catalog: { values: ['wh'], isExcludes: false, isRecursive: false },
      schema: { values: ['sales', 'sales.*'], isExcludes: false, isRecursive: false },
      table: { values: ['*'], isExcludes: false, isRecursive: false },
      column: { values: ['*'], isExcludes: false, isRecursive: false },
    });
    // The trino service has no `update`: it is carried as insert and delete.
    expect(sales.policyItems).toEqual([
      {
        users: [],
        groups: ['analysts'],
        roles: [],
        accesses: [
          { type: 'select', isAllowed: true },
          { type: 'insert', isAllowed: true },
          { type: 'delete', isAllowed: true },
        ],
        conditions: [],
        delegateAdmin: false,
      },
    ]);
    expect(sales.denyPolicyItems[0]).toMatchObject({ users: ['mallory'], accesses: [{ type: 'all', isAllowed: true }] });

    const mask = byName.get('mask email');
    expect(mask).toMatchObject({ policyType: 1, policyPriority: 1, resources: { column: { values: ['email'] } } });
    expect(mask.dataMaskPolicyItems.map((i: any) => i.dataMaskInfo)).toEqual([
      { dataMaskType: 'MASK_SHOW_LAST_4', conditionExpr: '', valueExpr: '' },
      { dataMaskType: 'CUSTOM', conditionExpr: '', valueExpr: 'upper({col})' },
    ]);
    const rows = byName.get('emea rows');
    expect(rows.policyType).toBe(2);
    expect(Object.keys(rows.resources).sort()).toEqual(['catalog', 'schema', 'table']);
    expect(rows.rowFilterPolicyItems[0]).toMatchObject({ groups: ['emea'], rowFilterInfo: { filterExpr: "region = 'EMEA'" } });
    expect(rows.validitySchedules).toEqual([{ startTime: '2026/01/01 00:00:00', endTime: '2036/01/01 00:00:00', timeZone: 'Europe/Berlin', recurrences: [] }]);
    expect(byName.get('lakeplane: users act as themselves')).toMatchObject({
      resources: { trinouser: { values: ['{USER}'] } },
      policyItems: [{ users: ['{USER}'], accesses: [{ type: 'impersonate', isAllowed: true }] }],
    });
    expect(byName.get('lakeplane: everyone may run queries')).toMatchObject({
      resources: { queryid: { values: ['*'] } },
      policyItems: [{ groups: ['public'], accesses: [{ type: 'execute', isAllowed: true }] }],
    });
    // Every mask type has its SQL in the service definition.
    expect(doc.serviceDef.dataMaskDef.maskTypes.map((m: any) => m.name).sort()).toEqual([
      'CUSTOM',
      'MASK',
      'MASK_DATE_SHOW_YEAR',
      'MASK_HASH',
      'MASK_NONE',
      'MASK_NULL',
      'MASK_SHOW_FIRST_4',
      'MASK_SHOW_LAST_4',
    ]);
  });

  it('answers 304 while lastKnownVersion is current, and the new set after a change', async () => {
    const first = await download('trino');
    const version = first.body.policyVersion as number;
    const same = await download('trino', version);
    expect(same.status).toBe(304);
    expect(same.body).toBeUndefined();
    const created = await call('POST', '/api/v1/policies', {
      name: 'late',
      resources: { warehouse: v('wh') },
      allow: [{ users: ['zoe'], accesses: ['select'] }],
    });
    expect(created.status).toBe(201);
    const next = await download('trino', version);
    expect(next.status).toBe(200);
    expect(next.body.policyVersion).toBe(version + 1);
    expect(next.body.policies.map((x: any) => x.name)).toContain('late');
    expect((await call('DELETE', `/api/v1/policies/${created.body.id}`)).status).toBe(204);
    expect((await download('trino', version + 1)).status).toBe(200);
  });

  it('serves a hive service per warehouse: database = namespace, only the policies that cover the warehouse', async () => {
    const r = await download('hive-wh');
    expect(r.status).toBe(200);
    expect(r.body.serviceDef.name).toBe('hive');
    const names = r.body.policies.map((x: any) => x.name).sort();
    expect(names).toEqual(['all - warehouse, namespace, table, column', 'analysts read sales', 'emea rows', 'mask email']);
    const sales = r.body.policies.find((x: any) => x.name === 'analysts read sales');
    expect(Object.keys(sales.resources).sort()).toEqual(['column', 'database', 'table']);
    expect(sales.policyItems[0].accesses).toEqual([
      { type: 'select', isAllowed: true },
      { type: 'update', isAllowed: true },
    ]);
    expect((await download('hive-lake2')).body.policies.map((x: any) => x.name).sort()).toEqual([
      'all - warehouse, namespace, table, column',
      'other warehouse',
    ]);
    expect((await download('mysql')).status).toBe(404);
  });

  it('serves role admin as the platform admins, with its own version', async () => {
    const roles = await call(
      'GET',
      '/service/roles/download/trino?pluginId=x&lastActivationTime=0&pluginCapabilities=7ffff&lastKnownRoleVersion=-1',
      undefined,
      null,
    );
    expect(roles.status).toBe(200);
    expect(roles.body).toMatchObject({ serviceName: 'trino', rangerRoles: [{ name: 'admin', users: [{ name: 'admin', isAdmin: false }] }] });
    const version = roles.body.roleVersion as number;
    expect((await call('GET', `/service/roles/download/trino?lastKnownRoleVersion=${version}`, undefined, null)).status).toBe(304);
    // A new admin, made through IAM, changes the roles.
    expect((await call('POST', '/api/v1/users', { username: 'root2', password: 'root2-password-1', isAdmin: true })).status).toBe(201);
    const after = await call('GET', `/service/roles/download/trino?lastKnownRoleVersion=${version}`, undefined, null);
    expect(after.status).toBe(200);
    expect(after.body.rangerRoles[0].users.map((u: any) => u.name)).toEqual(['admin', 'root2']);
    // Tags are the catalog's tagged objects (ServiceTags), 304 once the plugin has their version; the user store is not served: "nothing new", never an error.
    const tags = await call('GET', '/service/tags/download/trino?lastKnownVersion=-1', undefined, null);
    expect(tags.status).toBe(200);
    expect(tags.body).toMatchObject({
      op: 'add_or_update',
      serviceName: 'trino',
      serviceResources: expect.any(Array),
      tags: expect.any(Object),
      tagVersion: expect.any(Number),
    });
    expect((await call('GET', `/service/tags/download/trino?lastKnownVersion=${tags.body.tagVersion}`, undefined, null)).status).toBe(304);
    expect((await call('GET', '/service/xusers/download/trino', undefined, null)).status).toBe(304);
  });

  it('nothing is anonymous by default: every download needs a credential, and an admin one', async () => {
    for (const url of [
      '/service/plugins/policies/download/trino',
      '/service/roles/download/trino',
      '/service/tags/download/trino',
      '/service/xusers/download/trino',
      '/service/plugins/secure/policies/download/trino',
      '/service/roles/secure/download/trino',
      '/service/tags/secure/download/trino',
    ]) {
      const r = await anonymous(url);
      expect(r.status, url).toBe(401);
      expect(r.headers.get('www-authenticate'), url).toMatch(/^Bearer/);
      expect(JSON.stringify(r.body)).not.toContain('analysts read sales');
    }
    const wrong = await p.call('GET', '/service/plugins/policies/download/trino', {
      headers: { authorization: 'Basic ' + Buffer.from('lpsa_nobody:lpcs_wrong').toString('base64') },
    });
    expect(wrong.status).toBe(401);
    const member = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'not-admin' } });
    const memberBasic = 'Basic ' + Buffer.from(`${member.body.credentials.clientId}:${member.body.credentials.clientSecret}`).toString('base64');
    expect((await p.call('GET', '/service/plugins/policies/download/trino', { headers: { authorization: memberBasic } })).status).toBe(403);
    // A bearer token of an admin works as well as the plugin's Basic credential.
    expect((await call('GET', '/service/plugins/policies/download/trino')).status).toBe(200);
    expect((await call('GET', '/service/plugins/policies/download/trino', undefined, null)).status).toBe(200);
  });

  it('the /secure/ downloads need an admin credential', async () => {
    expect((await anonymous('/service/plugins/secure/policies/download/trino')).status).toBe(401);
    expect((await call('GET', '/service/plugins/secure/policies/download/trino')).status).toBe(200);
    expect((await call('GET', '/service/roles/secure/download/trino')).status).toBe(200);
  });

  it('the public v2 API creates, reads by id, guid and name, replaces and deletes in Ranger JSON', async () => {
    const body = {
      service: 'trino',
      name: 'ranger made',
      description: 'from a Ranger client',
      isEnabled: true,
      isAuditEnabled: false,
      policyType: 0,
      policyPriority: 0,
      resources: { catalog: { values: ['wh'] }, schema: { values: ['finance'] }, table: { values: ['*'] }, column: { values: ['*'] } },
      policyItems: [{ users: ['carol'], groups: [], roles: [], accesses: [{ type: 'select', isAllowed: true }], delegateAdmin: false }],
    };
    const created = await call('POST', '/service/public/v2/api/policy', body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ name: 'ranger made', service: 'trino', isAuditEnabled: false, resources: { schema: { values: ['finance'] } } });
    const { id, guid } = created.body;
    expect((await call('GET', `/service/public/v2/api/policy/${id}`)).body.guid).toBe(guid);
    expect((await call('GET', `/service/public/v2/api/policy/guid/${guid}`)).body.id).toBe(id);
    expect((await call('GET', '/service/public/v2/api/service/trino/policy/ranger%20made')).body.id).toBe(id);
    expect((await call('GET', '/service/public/v2/api/policy?serviceName=trino&policyName=ranger%20made')).body.map((x: any) => x.id)).toEqual([id]);
    // Our own API sees the same policy, decided the same way.
    const decided = await call('POST', '/api/v1/policies/decide', {
      principal: { user: 'carol' },
      access: 'select',
      resource: { warehouse: 'wh', namespace: ['finance'], table: 'ledger' },
    });
    expect(decided.body).toMatchObject({ decision: 'allow', policyName: 'ranger made' });

    const replaced = await call('PUT', `/service/public/v2/api/policy/${id}`, {
      ...body,
      policyItems: [
        {
          users: ['carol'],
          accesses: [
            { type: 'select', isAllowed: true },
            { type: 'insert', isAllowed: true },
          ],
        },
      ],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.version).toBe(2);
    expect(replaced.body.policyItems[0].accesses.map((a: any) => a.type)).toEqual(['select', 'insert']);

    const bad = await call('POST', '/service/public/v2/api/policy', { ...body, name: 'bad', resources: { queryid: { values: ['*'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toContain('resources.queryid');
    const badAccess = await call('POST', '/service/public/v2/api/policy', {
      ...body,
      name: 'bad2',
      policyItems: [{ users: ['x'], accesses: [{ type: 'impersonate' }] }],
    });
    expect(badAccess.status).toBe(400);
    expect(badAccess.body.errors[0].field).toBe('policyItems.0.accesses.0.type');

    expect((await call('DELETE', `/service/public/v2/api/policy/${id}`)).status).toBe(204);
    expect((await call('GET', `/service/public/v2/api/policy/${id}`)).status).toBe(404);
    // An id past what a number holds exactly (2^53 - 1; a Java long goes to 2^63 - 1) is a 400 naming it, not a 500.
    expect((await call('GET', '/service/public/v2/api/policy/9007199254740991')).status).toBe(404);
    for (const huge of ['9007199254740992', '9223372036854775808', '5176459705926523289600']) {
      for (const method of ['GET', 'DELETE']) {
        const r = await call(method, `/service/public/v2/api/policy/${huge}`);
        expect(r.status, `${method} ${huge}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'id' })]);
      }
    }
    // Members may not use it.
    expect((await call('POST', '/api/v1/users', { username: 'eve', password: 'eve-password-12' })).status).toBe(201);
    const eve = (await p.login('eve', 'eve-password-12')).body.access_token;
    expect((await call('GET', '/service/public/v2/api/policy', undefined, eve)).status).toBe(403);
  });

  it("Ranger JSON is held to what our own API would take, in Ranger's field names, and subjects are kept once", async () => {
    const body = {
      service: 'trino',
      name: 'ranger bounds',
      resources: { catalog: { values: ['wh'] }, schema: { values: ['s'] } },
      policyItems: [{ users: ['carol', 'carol', 'dave'], accesses: [{ type: 'select', isAllowed: true }] }],
    };
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ ...body, name: 'ends in FS\u001c' }, 'name'],
      [{ ...body, description: 'd'.repeat(4001) }, 'description'],
      [{ ...body, validitySchedules: [{ startTime: '2026-01-01T00:00:00Z', timeZone: 'UTC' }] }, 'validitySchedules.0.startTime'],
      [{ ...body, policyItems: [{ users: ['u'.repeat(257)], accesses: [{ type: 'select' }] }] }, 'policyItems.0.users.0'],
      [{ ...body, resources: { ['k'.repeat(65)]: { values: ['x'] } } }, 'resources'],
    ];
    for (const [policy, field] of refused) {
      const r = await call('POST', '/service/public/v2/api/policy', policy);
      expect(r.status, `${field}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.errors.map((e: any) => e.field)).toContain(field);
    }
    const created = await call('POST', '/service/public/v2/api/policy', body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.policyItems[0].users).toEqual(['carol', 'dave']);
    const ours = await call('GET', `/api/v1/policies/${created.body.guid}`);
    expect(ours.body.allow[0].users).toEqual(['carol', 'dave']);
    expect((await call('DELETE', `/service/public/v2/api/policy/${created.body.id}`)).status).toBe(204);
  });
});

describe.each(backends())('Ranger downloads with the anonymous opt-in on %s', (backend) => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS: 'true' } });
  });
  afterAll(async () => p?.close());

  it('LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS=true serves the plain downloads without a credential, never the /secure/ ones', async () => {
    const r = await p.call('GET', '/service/plugins/policies/download/trino?lastKnownVersion=-1');
    expect(r.status).toBe(200);
    expect(r.body.serviceName).toBe('trino');
    expect((await p.call('GET', '/service/roles/download/trino')).status).toBe(200);
    expect((await p.call('GET', '/service/plugins/secure/policies/download/trino')).status).toBe(401);
    // A credential that is sent is still checked.
    expect((await p.call('GET', '/service/plugins/policies/download/trino', { token: 'lpat_made_up' })).status).toBe(401);
  });
});
