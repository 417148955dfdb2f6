import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { findTrino, opaAccessControl, rangerAccessControl, startTrino, withAccessControl, type RunningTrino } from '../support/trino.js';
import { waitFor } from '../support/wait.js';

/**
 * A real Trino 476 enforces Lakeplane's data policies, once through its built-in Ranger access control (Lakeplane as
 * the Ranger admin it polls) and once through its OPA access control (Lakeplane as the OPA server it asks), on its
 * built-in tpch catalog (policies on warehouse "tpch"). What users see: an allowed user's rows through a row filter,
 * each mask type on a column, a denied user and a user without any policy refused, an `_expression` condition
 * evaluated, and a policy change picked up without restarting Trino. Needs scripts/install-trino.sh (CI runs it).
 */
const trino = findTrino();
if (!trino.ok) missingPrerequisite('the Trino end-to-end policy tests', `${trino.why}; run scripts/install-trino.sh (CI does)`);

const v = (...values: string[]) => ({ values });
const nation = { warehouse: v('tpch'), namespace: v('tiny'), table: v('nation') };
const MASKED_USERS = {
  m_mask: 'MASK',
  m_last4: 'MASK_SHOW_LAST_4',
  m_first4: 'MASK_SHOW_FIRST_4',
  m_hash: 'MASK_HASH',
  m_null: 'MASK_NULL',
  m_none: 'MASK_NONE',
  m_custom: 'CUSTOM',
} as const;
const ARGENTINA_HASH = createHash('sha256').update('ARGENTINA').digest('hex').toUpperCase().slice(0, 25);
const EXPECTED_NAME: Record<keyof typeof MASKED_USERS, string | null> = {
  m_mask: 'XXXXXXXXX',
  m_last4: 'XXXXXTINA',
  m_first4: 'ARGEXXXXX',
  m_hash: ARGENTINA_HASH,
  m_null: null,
  m_none: 'ARGENTINA',
  m_custom: 'argentina',
};

const POLICIES = [
  {
    name: 'tpch readers',
    resources: { warehouse: v('tpch'), namespace: v('tiny'), table: v('*') },
    allow: [{ users: ['alice', 'bob', 'm_year', ...Object.keys(MASKED_USERS)], accesses: ['select'] }],
  },
  { name: 'bob is out', resources: { warehouse: v('tpch') }, deny: [{ users: ['bob'], accesses: ['all'] }] },
  { name: 'alice sees region 1', type: 'row-filter', resources: nation, rowFilters: [{ users: ['alice'], filter: 'regionkey = 1' }] },
  {
    name: 'nation name masks',
    type: 'masking',
    resources: { ...nation, column: v('name') },
    masks: Object.entries(MASKED_USERS).map(([user, type]) => ({ users: [user], type, ...(type === 'CUSTOM' ? { expression: 'lower({col})' } : {}) })),
  },
  // Ranger's _expression conditions: one that holds for dave, one that holds for nobody (a plugin that ignored it would let erin in).
  {
    name: 'dave by condition',
    resources: { warehouse: v('tpch'), namespace: v('tiny'), table: v('region') },
    allow: [
      {
        users: ['dave', 'erin'],
        accesses: ['select'],
        conditions: [{ type: '_expression', values: ["ctx.getUser() == 'dave' && IS_ACCESS_TIME_BEFORE('2100/01/01', 'UTC')"] }],
      },
    ],
  },
  {
    name: 'order dates show the year',
    type: 'masking',
    resources: { warehouse: v('tpch'), namespace: v('tiny'), table: v('orders'), column: v('orderdate') },
    masks: [{ users: ['m_year'], type: 'MASK_DATE_SHOW_YEAR' }],
  },
];

const tpch = { tpch: { 'connector.name': 'tpch' } };

describe.skipIf(!trino.ok).each([
  ['Ranger', rangerAccessControl],
  ['OPA', opaAccessControl],
] as const)('Trino 476 enforces the data policies through its %s access control', (_path, accessControl) => {
  let p: TestPlatform;
  let t: RunningTrino;
  let admin: string;

  beforeAll(async () => {
    if (!trino.ok) return;
    p = await startPlatform('pglite');
    admin = await p.adminToken();
    for (const body of POLICIES) {
      const r = await p.call('POST', '/api/v1/policies', { token: admin, body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // The plugin's own credential, as an operator would configure it: an admin service account.
    const plugin = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'trino', isAdmin: true } });
    expect(plugin.status).toBe(201);
    t = await startTrino(trino.value, withAccessControl(accessControl(p.url, plugin.body.credentials), { plugins: ['tpch'], catalogs: tpch }));
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await p?.close();
  });

  const rowsOf = async (user: string, sql: string) => {
    const a = await t.query(user, sql);
    expect(a.error, `${user}: ${sql}\n${t.log().slice(-2000)}`).toBeUndefined();
    return a.rows;
  };

  it('an allowed user sees the rows her row filter lets through', async () => {
    expect(await rowsOf('alice', 'select count(*) from tpch.tiny.nation')).toEqual([[5]]);
    expect(await rowsOf('alice', 'select name from tpch.tiny.nation where nationkey = 1')).toEqual([['ARGENTINA']]);
  }, 60_000);

  it('each mask type shows on the column', async () => {
    for (const [user, expected] of Object.entries(EXPECTED_NAME)) {
      expect(await rowsOf(user, 'select name from tpch.tiny.nation where nationkey = 1'), user).toEqual([[expected]]);
    }
    expect(await rowsOf('m_year', 'select cast(orderdate as varchar) from tpch.tiny.orders where orderkey = 1')).toEqual([['1996-01-01']]);
  }, 120_000);

  it('a denied user and a user without a policy are refused', async () => {
    const bob = await t.query('bob', 'select count(*) from tpch.tiny.nation');
    expect(bob.error).toMatch(/Access Denied/);
    const carol = await t.query('carol', 'select count(*) from tpch.tiny.nation');
    expect(carol.error).toMatch(/Access Denied/);
  }, 60_000);

  it('a policy condition (_expression) is evaluated, not ignored', async () => {
    expect(await rowsOf('dave', 'select count(*) from tpch.tiny.region')).toEqual([[5]]);
    expect((await t.query('erin', 'select count(*) from tpch.tiny.region')).error).toMatch(/Access Denied/);
  }, 60_000);

  it('a policy change reaches Trino without a restart', async () => {
    const r = await p.call('POST', '/api/v1/policies', {
      token: admin,
      body: {
        name: 'carol joins',
        resources: { warehouse: v('tpch'), namespace: v('tiny'), table: v('region') },
        allow: [{ users: ['carol'], accesses: ['select'] }],
      },
    });
    expect(r.status).toBe(201);
    const rows = await waitFor(
      'carol may read tpch.tiny.region',
      async () => {
        const a = await t.query('carol', 'select count(*) from tpch.tiny.region');
        return a.error ? undefined : a.rows;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(rows).toEqual([[5]]);
    // Only that table: the rest of tpch stays closed to her.
    expect((await t.query('carol', 'select count(*) from tpch.tiny.nation')).error).toMatch(/Access Denied/);
  }, 60_000);
});
