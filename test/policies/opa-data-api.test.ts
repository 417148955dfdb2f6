import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * OPA's data API for Trino, answered from the data access policies (data) and the control policies (running queries,
 * acting as someone, someone's queries), decisions logged as the platform's own: every request shape Trino's OPA access control
 * sends (../shared/ref/trino-opa/NOTES.md, ../shared/ref/trino/NOTES.md), through real HTTP and without a credential,
 * as Trino calls it.
 */
const v = (...values: string[]) => ({ values });
const identity = (user: string, groups: string[] = []) => ({ identity: { user, groups }, softwareStack: { trinoVersion: '476' } });
const table = (tableName: string, columns?: string[]) => ({ table: { catalogName: 'wh', schemaName: 'sales', tableName, ...(columns ? { columns } : {}) } });
const column = (tableName: string, columnName: string, columnType = 'varchar') => ({
  column: { catalogName: 'wh', schemaName: 'sales', tableName, columnName, columnType },
});

describe.each(backends())('OPA data API for Trino on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  /** The credential Trino's OPA access control carries in its URIs' query: an admin service account's client secret. */
  let secret: string;
  const ask = async (doc: string, user: string, action: Record<string, unknown>, groups: string[] = []) => {
    const r = await p.call('POST', `/v1/data/trino/${doc}?access_token=${secret}`, { body: { input: { context: identity(user, groups), action } } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.result;
  };

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    const sa = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'trino-opa', isAdmin: true } });
    expect(sa.status).toBe(201);
    secret = sa.body.credentials.clientSecret;
    const policies = [
      {
        name: 'analysts read sales',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders', 'customers') },
        allow: [{ groups: ['analysts'], accesses: ['select'] }],
      },
      {
        name: 'writers',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') },
        allow: [{ users: ['wendy'], accesses: ['select', 'insert', 'create'] }],
      },
      {
        name: 'no customers for bob',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers') },
        deny: [{ users: ['bob'], accesses: ['all'] }],
      },
      {
        name: 'hide ssn',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('ssn') },
        deny: [{ groups: ['analysts'], accesses: ['select'] }],
      },
      {
        name: 'mask email',
        type: 'masking',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('email') },
        masks: [{ groups: ['analysts'], type: 'MASK_SHOW_LAST_4' }],
      },
      {
        name: 'custom name',
        type: 'masking',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('customers'), column: v('name') },
        masks: [{ groups: ['analysts'], type: 'CUSTOM', expression: "substr({col}, 1, 1) || '***'" }],
      },
      {
        name: 'emea only',
        type: 'row-filter',
        resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') },
        rowFilters: [{ groups: ['analysts'], filter: "region = 'EMEA'" }],
      },
    ];
    for (const body of policies) expect((await p.call('POST', '/api/v1/policies', { token: admin, body })).status).toBe(201);
  }, 60_000);
  afterAll(async () => p?.close());

  it('allow: queries run, users act only as themselves, data needs its access', async () => {
    expect(await ask('allow', 'alice', { operation: 'ExecuteQuery' })).toBe(true);
    expect(await ask('allow', 'alice', { operation: 'ImpersonateUser', resource: { user: { user: 'alice' } } })).toBe(true);
    expect(await ask('allow', 'alice', { operation: 'ImpersonateUser', resource: { user: { user: 'root' } } })).toBe(false);
    expect(await ask('allow', 'ann', { operation: 'AccessCatalog', resource: { catalog: { name: 'wh' } } }, ['analysts'])).toBe(true);
    expect(await ask('allow', 'nobody', { operation: 'AccessCatalog', resource: { catalog: { name: 'wh' } } })).toBe(false);
    expect(await ask('allow', 'ann', { operation: 'SelectFromColumns', resource: table('orders', ['id', 'region']) }, ['analysts'])).toBe(true);
    expect(await ask('allow', 'ann', { operation: 'SelectFromColumns', resource: table('customers', ['id', 'ssn']) }, ['analysts'])).toBe(false);
    expect(await ask('allow', 'ann', { operation: 'SelectFromColumns', resource: table('customers', ['id', 'email']) }, ['analysts'])).toBe(true);
    expect(await ask('allow', 'ann', { operation: 'InsertIntoTable', resource: table('orders') }, ['analysts'])).toBe(false);
    expect(await ask('allow', 'wendy', { operation: 'InsertIntoTable', resource: table('orders') })).toBe(true);
    expect(await ask('allow', 'wendy', { operation: 'CreateTable', resource: table('new_one') })).toBe(true);
    expect(await ask('allow', 'wendy', { operation: 'DropTable', resource: table('orders') })).toBe(false);
    // A deny beats the group's allow.
    expect(await ask('allow', 'bob', { operation: 'SelectFromColumns', resource: table('customers', ['id']) }, ['analysts'])).toBe(false);
    // Unknown operations are denied; so is an operation without its resource.
    expect(await ask('allow', 'wendy', { operation: 'CreateCatalog' })).toBe(false);
    expect(await ask('allow', 'wendy', { operation: 'SelectFromColumns' })).toBe(false);
  });

  it("questions about running queries go to the control policies: own queries and identity only, admins anyone's", async () => {
    const owned = (user: string) => ({ user: { user } });
    expect(await ask('allow', 'alice', { operation: 'KillQueryOwnedBy', resource: owned('alice') })).toBe(true);
    expect(await ask('allow', 'alice', { operation: 'KillQueryOwnedBy', resource: owned('bob') })).toBe(false);
    expect(await ask('allow', 'alice', { operation: 'ViewQueryOwnedBy', resource: owned('bob') })).toBe(false);
    expect(await ask('batch', 'alice', { operation: 'FilterViewQueryOwnedBy', filterResources: [owned('bob'), owned('alice'), owned('carol')] })).toEqual([1]);
    expect(await ask('allow', 'alice', { operation: 'SetSystemSessionProperty', resource: { systemSessionProperty: { name: 'query_max_run_time' } } })).toBe(
      true,
    );
    // The platform's admin, as a Trino user, may act as anyone and kill anyone's query.
    expect(await ask('allow', 'admin', { operation: 'ImpersonateUser', resource: owned('alice') })).toBe(true);
    expect(await ask('allow', 'admin', { operation: 'KillQueryOwnedBy', resource: owned('bob') })).toBe(true);
    expect(await ask('batch', 'admin', { operation: 'FilterViewQueryOwnedBy', filterResources: [owned('bob'), owned('alice')] })).toEqual([0, 1]);
  });

  it("logs Trino's decisions as the platform's own: audited data decisions and refusals of the control policies", async () => {
    expect(await ask('allow', 'ann', { operation: 'SelectFromColumns', resource: table('orders', ['id']) }, ['analysts'])).toBe(true);
    expect(await ask('allow', 'ann', { operation: 'ImpersonateUser', resource: { user: { user: 'root' } } }, ['analysts'])).toBe(false);
    const log = await waitFor("ann's Trino decisions in the log", async () => {
      const r = await p.call('GET', '/api/v1/policies/decisions?principal=user:ann&pageSize=500', { token: admin });
      const items = r.body.items as any[];
      return items.some((d) => d.kind === 'control') && items.some((d) => d.action === 'trino:SelectFromColumns') ? items : undefined;
    });
    expect(log.find((d) => d.action === 'trino:SelectFromColumns')).toMatchObject({
      kind: 'data',
      allowed: true,
      resource: 'trino/wh/sales/orders/id',
      result: { policyName: 'analysts read sales' },
      input: { engine: 'trino', subject: { user: 'ann', groups: ['analysts'] }, access: 'select' },
    });
    expect(log.find((d) => d.kind === 'control')).toMatchObject({
      allowed: false,
      action: 'trino:ImpersonateUser',
      resource: 'trino/users/root',
      result: { bundle: 'shipped' },
      input: { engine: 'trino', request: { user: 'root' } },
    });
  });

  it('batch: the indexes of what the user may see; FilterColumns indexes the columns', async () => {
    const schemas = [{ schema: { catalogName: 'wh', schemaName: 'sales' } }, { schema: { catalogName: 'wh', schemaName: 'hr' } }];
    expect(await ask('batch', 'ann', { operation: 'FilterSchemas', filterResources: schemas }, ['analysts'])).toEqual([0]);
    const tables = [table('orders'), table('customers'), table('payroll')];
    expect(await ask('batch', 'ann', { operation: 'FilterTables', filterResources: tables }, ['analysts'])).toEqual([0, 1]);
    expect(await ask('batch', 'bob', { operation: 'FilterTables', filterResources: tables }, ['analysts'])).toEqual([0]);
    expect(await ask('batch', 'ann', { operation: 'FilterColumns', filterResources: [table('customers', ['id', 'ssn', 'email'])] }, ['analysts'])).toEqual([
      0, 2,
    ]);
    expect(await ask('batch', 'nobody', { operation: 'FilterCatalogs', filterResources: [{ catalog: { name: 'wh' } }] })).toEqual([]);
  });

  it('row filters and column masks, one by one and in a batch', async () => {
    expect(await ask('rowFilters', 'ann', { operation: 'GetRowFilters', resource: table('orders') }, ['analysts'])).toEqual([
      { expression: "region = 'EMEA'" },
    ]);
    expect(await ask('rowFilters', 'wendy', { operation: 'GetRowFilters', resource: table('orders') })).toEqual([]);
    const email = await ask('columnMask', 'ann', { operation: 'GetColumnMask', resource: column('customers', 'email', 'varchar(100)') }, ['analysts']);
    expect(email.expression).toContain('"email"');
    expect(email.expression).toMatch(/as varchar\(100\)\)$/);
    expect(await ask('columnMask', 'ann', { operation: 'GetColumnMask', resource: column('customers', 'id', 'bigint') }, ['analysts'])).toBeNull();
    expect(await ask('columnMask', 'wendy', { operation: 'GetColumnMask', resource: column('customers', 'email') })).toBeNull();
    const masks = await ask(
      'batchColumnMasks',
      'ann',
      { operation: 'GetColumnMask', filterResources: [column('customers', 'id', 'bigint'), column('customers', 'email'), column('customers', 'name')] },
      ['analysts'],
    );
    expect(masks.map((m: { index: number }) => m.index)).toEqual([1, 2]);
    expect(masks[1].viewExpression.expression).toBe(`substr("name", 1, 1) || '***'`);
  });

  it('an undefined document answers like OPA: 200 without a result; a malformed input is a 400', async () => {
    const r = await p.call('POST', `/v1/data/other/thing?access_token=${secret}`, { body: { input: {} } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    const bad = await p.call('POST', `/v1/data/trino/allow?access_token=${secret}`, { body: { input: { action: { operation: 'ExecuteQuery' } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('input.context');
  });

  it('nobody asks anonymously by default: 401; a member is 403; bearer, Basic and a personal access token in the query work', async () => {
    const input = { input: { context: identity('ann', ['analysts']), action: { operation: 'ExecuteQuery' } } };
    for (const doc of ['allow', 'batch', 'rowFilters', 'columnMask', 'batchColumnMasks']) {
      const r = await p.call('POST', `/v1/data/trino/${doc}`, { body: input });
      expect(r.status, doc).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(r.body.result).toBeUndefined();
    }
    expect((await p.call('POST', '/v1/data/other/thing', { body: { input: {} } })).status).toBe(401);
    expect((await p.call('POST', '/v1/data/trino/allow?access_token=lpcs_wrong', { body: input })).status).toBe(401);
    const member = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'opa-member' } });
    expect((await p.call('POST', `/v1/data/trino/allow?access_token=${member.body.credentials.clientSecret}`, { body: input })).status).toBe(403);
    expect((await p.call('POST', '/v1/data/trino/allow', { token: admin, body: input })).body).toEqual({ result: true });
    const pat = await p.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'trino-opa' } });
    expect(pat.status).toBe(201);
    expect((await p.call('POST', `/v1/data/trino/allow?access_token=${pat.body.token}`, { body: input })).body).toEqual({ result: true });
  });
});

describe.each(backends())('OPA data API with the anonymous opt-in on %s', (backend) => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_OPA_DATA_API_ANONYMOUS: 'true' } });
  });
  afterAll(async () => p?.close());

  it('LAKEPLANE_OPA_DATA_API_ANONYMOUS=true answers callers with no credential', async () => {
    const r = await p.call('POST', '/v1/data/trino/allow', { body: { input: { context: identity('ann'), action: { operation: 'ExecuteQuery' } } } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ result: true });
  });
});
