import type { DataPolicyInput, DataResource, RequestedAccess, TagAttributeMap } from '../../shared/policy/index.js';

/**
 * The table of data access cases (issue 3 of 5, "Proof"): each names its policies, who asks, for what, and what a
 * user must see. test/policies/data-access.test.ts runs every case against the in-process evaluator and through
 * HTTP (policies created with the API, POST /api/v1/policies/decide).
 */
export type PolicySpec = Partial<DataPolicyInput> & { name: string; resources: DataPolicyInput['resources'] };

export type CaseResource = Omit<DataResource, 'tags'> & { columns?: string[]; tags?: string[]; tagAttributes?: TagAttributeMap };

export interface DecisionCase {
  name: string;
  policies: PolicySpec[];
  subject?: { user?: string; groups?: string[]; roles?: string[] };
  access: RequestedAccess;
  /** As POST /api/v1/policies/decide takes it: tag names, and their attributes by name. */
  resource: CaseResource;
  /** The access time to decide at (RFC 3339); default: now. */
  accessTime?: string;
  expect: {
    decision: 'allow' | 'deny';
    /** Name of the deciding policy; null: none (default deny). Omitted: not checked. */
    policy?: string | null;
    audit?: boolean;
    masks?: Array<{ column: string; type: string; expression?: string }>;
    rowFilter?: string | null;
  };
}

const v = (...values: string[]) => ({ values, excludes: false, recursive: false });
const ex = (...values: string[]) => ({ values, excludes: true, recursive: false });
const rec = (...values: string[]) => ({ values, excludes: false, recursive: true });
const item = (accesses: DataPolicyInput['allow'][number]['accesses'], who: { users?: string[]; groups?: string[]; roles?: string[] }) => ({
  users: who.users ?? [],
  groups: who.groups ?? [],
  roles: who.roles ?? [],
  accesses,
  delegateAdmin: false,
});
const alice = { users: ['alice'] };
const orders: CaseResource = { warehouse: 'wh', namespace: ['sales'], table: 'orders' };
const ordersTable = { warehouse: v('wh'), namespace: v('sales'), table: v('orders') };

/** Ranger's default tag policy, EXPIRES_ON: deny everyone every access once the tag's expiry_date has passed. */
const expiresOn = (): PolicySpec => ({
  name: 'EXPIRES_ON',
  resources: { tags: { values: ['EXPIRES_ON'] } },
  deny: [{ ...item(['all'], { groups: ['public'] }), conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }] }],
});
const expiring = (date: string): CaseResource => ({ ...orders, tags: ['EXPIRES_ON'], tagAttributes: { EXPIRES_ON: { expiry_date: date } } });

// Validity windows relative to now, written as Ranger writes them, in a given zone.
function wall(offsetMs: number, zone: string): string {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(Date.now() + offsetMs)).map((x) => [x.type, x.value]));
  return `${p['year']}/${p['month']}/${p['day']} ${p['hour']}:${p['minute']}:${p['second']}`;
}
const HOUR = 3_600_000;

const allowAlice = (name = 'allow alice', accesses: DataPolicyInput['allow'][number]['accesses'] = ['select']): PolicySpec => ({
  name,
  resources: ordersTable,
  allow: [item(accesses, alice)],
});

export const cases: DecisionCase[] = [
  // Default deny and the basics
  { name: 'no policy: denied, by nobody', policies: [], access: 'select', resource: orders, expect: { decision: 'deny', policy: null } },
  {
    name: 'an allow item for the user grants the access it lists',
    policies: [allowAlice()],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'an allow item grants only the accesses it lists',
    policies: [allowAlice()],
    access: 'insert',
    resource: orders,
    expect: { decision: 'deny', policy: null },
  },
  {
    name: 'access "all" grants insert',
    policies: [allowAlice('all', ['all'])],
    access: 'insert',
    resource: orders,
    expect: { decision: 'allow', policy: 'all' },
  },
  { name: 'access "all" grants drop', policies: [allowAlice('all', ['all'])], access: 'drop', resource: orders, expect: { decision: 'allow' } },
  {
    name: 'several accesses in one item',
    policies: [allowAlice('rw', ['select', 'insert', 'update'])],
    access: 'update',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'another table is not covered',
    policies: [allowAlice()],
    access: 'select',
    resource: { ...orders, table: 'customers' },
    expect: { decision: 'deny' },
  },
  {
    name: 'another warehouse is not covered',
    policies: [allowAlice()],
    access: 'select',
    resource: { ...orders, warehouse: 'other' },
    expect: { decision: 'deny' },
  },

  // Wildcards, case, excludes
  {
    name: 'wildcard * in a table value',
    policies: [{ name: 'ord*', resources: { ...ordersTable, table: v('ord*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'wildcard ? matches exactly one character',
    policies: [{ name: 'order?', resources: { ...ordersTable, table: v('order?') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'wildcard ? does not match zero characters',
    policies: [{ name: 'orders?', resources: { ...ordersTable, table: v('orders?') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'values match regardless of case',
    policies: [{ name: 'upper', resources: { warehouse: v('WH'), namespace: v('Sales'), table: v('ORDERS') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'warehouse * covers every warehouse',
    policies: [{ name: 'all wh', resources: { warehouse: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, warehouse: 'anything' },
    expect: { decision: 'allow' },
  },
  {
    name: 'levels left out cover everything below',
    policies: [{ name: 'wh only', resources: { warehouse: v('wh') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { warehouse: 'wh', namespace: ['a', 'b'], table: 't' },
    expect: { decision: 'allow' },
  },
  {
    name: 'several values: any of them',
    policies: [{ name: 'two tables', resources: { ...ordersTable, table: v('customers', 'orders') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'excludes: a table not listed is covered',
    policies: [{ name: 'not secret', resources: { ...ordersTable, table: ex('secret*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'excludes: a listed table is not covered',
    policies: [{ name: 'not secret', resources: { ...ordersTable, table: ex('secret*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, table: 'secrets' },
    expect: { decision: 'deny' },
  },
  {
    name: 'excludes on the namespace',
    policies: [{ name: 'not hr', resources: { warehouse: v('wh'), namespace: ex('hr'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, namespace: ['hr'] },
    expect: { decision: 'deny' },
  },

  // Namespaces: nesting and recursion
  {
    name: 'a namespace value does not cover nested namespaces',
    policies: [{ name: 'sales only', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, namespace: ['sales', 'emea'] },
    expect: { decision: 'deny' },
  },
  {
    name: 'recursive covers nested namespaces at any depth',
    policies: [{ name: 'sales tree', resources: { warehouse: v('wh'), namespace: rec('sales'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, namespace: ['sales', 'emea', 'q1'] },
    expect: { decision: 'allow' },
  },
  {
    name: 'recursive covers the namespace itself',
    policies: [{ name: 'sales tree', resources: { warehouse: v('wh'), namespace: rec('sales'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'recursive does not cover a name that only starts the same',
    policies: [{ name: 'sales tree', resources: { warehouse: v('wh'), namespace: rec('sales'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, namespace: ['salesforce'] },
    expect: { decision: 'deny' },
  },
  {
    name: 'recursive from a nested level',
    policies: [{ name: 'emea tree', resources: { warehouse: v('wh'), namespace: rec('sales.emea'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, namespace: ['sales', 'emea', 'de'] },
    expect: { decision: 'allow' },
  },
  {
    name: 'recursive from a nested level does not cover its parent',
    policies: [{ name: 'emea tree', resources: { warehouse: v('wh'), namespace: rec('sales.emea'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'a wildcard across levels',
    policies: [{ name: 'sales.*', resources: { warehouse: v('wh'), namespace: v('sales.*'), table: v('*') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, namespace: ['sales', 'emea'] },
    expect: { decision: 'allow' },
  },

  // What a policy covers: the object, or only things inside it
  {
    name: 'a table policy does not grant create on its namespace',
    policies: [allowAlice('t', ['all'])],
    access: 'create',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'deny' },
  },
  {
    name: 'a namespace policy with table * grants create in the namespace',
    policies: [{ name: 'ns', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') }, allow: [item(['create'], alice)] }],
    access: 'create',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'allow' },
  },
  {
    name: 'seeing a namespace: a table policy inside it is enough',
    policies: [allowAlice()],
    access: 'any',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'seeing a warehouse: a table policy inside it is enough',
    policies: [allowAlice()],
    access: 'any',
    resource: { warehouse: 'wh' },
    expect: { decision: 'allow' },
  },
  {
    name: 'seeing a namespace: nothing inside it for the user',
    policies: [allowAlice()],
    subject: { user: 'bob' },
    access: 'any',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'deny' },
  },
  { name: 'seeing a table: any access on it', policies: [allowAlice('ins', ['insert'])], access: 'any', resource: orders, expect: { decision: 'allow' } },
  {
    name: 'a column policy grants select on that column',
    policies: [{ name: 'email', resources: { ...ordersTable, column: v('email') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow' },
  },
  {
    name: 'a column policy does not grant select on the whole table',
    policies: [{ name: 'email', resources: { ...ordersTable, column: v('email') }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'a column policy makes the table visible',
    policies: [{ name: 'email', resources: { ...ordersTable, column: v('email') }, allow: [item(['select'], alice)] }],
    access: 'any',
    resource: orders,
    expect: { decision: 'allow' },
  },

  // Subjects
  {
    name: 'a group item matches a member',
    policies: [{ name: 'analysts', resources: ordersTable, allow: [item(['select'], { groups: ['analysts'] })] }],
    subject: { user: 'bob', groups: ['analysts'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'a group item does not match a non-member',
    policies: [{ name: 'analysts', resources: ordersTable, allow: [item(['select'], { groups: ['analysts'] })] }],
    subject: { user: 'bob', groups: ['sales'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'group public matches everyone',
    policies: [{ name: 'public', resources: ordersTable, allow: [item(['select'], { groups: ['public'] })] }],
    subject: { user: 'anyone' },
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'a role item matches a holder of the role',
    policies: [{ name: 'role', resources: ordersTable, allow: [item(['select'], { roles: ['auditor'] })] }],
    subject: { user: 'carol', roles: ['auditor'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  { name: 'user names are exact', policies: [allowAlice()], subject: { user: 'alice2' }, access: 'select', resource: orders, expect: { decision: 'deny' } },

  // Deny, exceptions
  {
    name: 'a deny item beats an allow item in the same policy',
    policies: [{ name: 'both', resources: ordersTable, allow: [item(['select'], alice)], deny: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'both' },
  },
  {
    name: 'a deny in another policy of the same priority beats an allow',
    policies: [allowAlice(), { name: 'deny alice', resources: ordersTable, deny: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'deny alice' },
  },
  {
    name: 'a deny on a wider resource beats a narrow allow',
    policies: [allowAlice(), { name: 'deny wh', resources: { warehouse: v('wh') }, deny: [item(['all'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'deny wh' },
  },
  {
    name: 'a deny for insert leaves select alone',
    policies: [allowAlice('a', ['all']), { name: 'no insert', resources: ordersTable, deny: [item(['insert'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'a' },
  },
  {
    name: 'a deny exception carves the user out of the deny',
    policies: [
      {
        name: 'deny analysts but alice',
        resources: ordersTable,
        allow: [item(['select'], { groups: ['analysts'] })],
        deny: [item(['select'], { groups: ['analysts'] })],
        denyExceptions: [item(['select'], alice)],
      },
    ],
    subject: { user: 'alice', groups: ['analysts'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'deny analysts but alice' },
  },
  {
    name: 'the deny still holds for the others',
    policies: [
      {
        name: 'deny analysts but alice',
        resources: ordersTable,
        allow: [item(['select'], { groups: ['analysts'] })],
        deny: [item(['select'], { groups: ['analysts'] })],
        denyExceptions: [item(['select'], alice)],
      },
    ],
    subject: { user: 'bob', groups: ['analysts'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'deny analysts but alice' },
  },
  {
    name: 'a deny exception for another access does not carve',
    policies: [{ name: 'deny', resources: ordersTable, deny: [item(['select'], alice)], denyExceptions: [item(['insert'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'deny' },
  },
  {
    name: 'an allow exception carves the user out of the allow',
    policies: [
      { name: 'analysts but alice', resources: ordersTable, allow: [item(['select'], { groups: ['analysts'] })], allowExceptions: [item(['select'], alice)] },
    ],
    subject: { user: 'alice', groups: ['analysts'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: null },
  },
  {
    name: 'an allow exception for insert leaves select allowed',
    policies: [{ name: 'rw but no insert', resources: ordersTable, allow: [item(['select', 'insert'], alice)], allowExceptions: [item(['insert'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'an allow exception for insert takes insert away',
    policies: [{ name: 'rw but no insert', resources: ordersTable, allow: [item(['select', 'insert'], alice)], allowExceptions: [item(['insert'], alice)] }],
    access: 'insert',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'an allow carved out in one policy can come from another',
    policies: [
      {
        name: 'a: analysts but alice',
        resources: ordersTable,
        allow: [item(['select'], { groups: ['analysts'] })],
        allowExceptions: [item(['select'], alice)],
      },
      allowAlice('b: alice'),
    ],
    subject: { user: 'alice', groups: ['analysts'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'b: alice' },
  },

  // Ranger's `_any` (RangerDefaultPolicyEvaluator expands it into every access type; allowed when one type is)
  {
    name: 'Ranger _any: an allow exception on insert leaves the table visible through select',
    policies: [{ name: 'rw but no insert', resources: ordersTable, allow: [item(['select', 'insert'], alice)], allowExceptions: [item(['insert'], alice)] }],
    access: 'any',
    resource: orders,
    expect: { decision: 'allow', policy: 'rw but no insert' },
  },
  {
    name: 'Ranger _any: an allow exception on every granted type hides the table',
    policies: [{ name: 'select but not alice', resources: ordersTable, allow: [item(['select'], alice)], allowExceptions: [item(['select'], alice)] }],
    access: 'any',
    resource: orders,
    expect: { decision: 'deny', policy: null },
  },
  {
    name: 'Ranger _any: an allow exception on insert leaves a namespace visible through a table inside it',
    policies: [{ name: 'rw but no insert', resources: ordersTable, allow: [item(['select', 'insert'], alice)], allowExceptions: [item(['insert'], alice)] }],
    access: 'any',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'allow' },
  },
  {
    name: 'Ranger _any: a deny of the only granted type leaves nothing to see',
    policies: [{ name: 'both', resources: ordersTable, allow: [item(['select'], alice)], deny: [item(['select'], alice)] }],
    access: 'any',
    resource: orders,
    expect: { decision: 'deny', policy: null },
  },

  // Ranger's audit determination (RangerDefaultPolicyEvaluator.evaluate: audited when an audit-enabled policy matched)
  {
    name: 'Ranger audit: nothing matched, so the default deny is not audited',
    policies: [],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: null, audit: false },
  },
  {
    name: 'Ranger audit: a policy for another table does not audit',
    policies: [allowAlice()],
    access: 'select',
    resource: { ...orders, table: 'customers' },
    expect: { decision: 'deny', policy: null, audit: false },
  },
  {
    name: 'Ranger audit: an audit-enabled policy that matched but granted nothing audits the default deny',
    policies: [{ name: 'bob only', resources: ordersTable, allow: [item(['select'], { users: ['bob'] })] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: null, audit: true },
  },
  {
    name: 'Ranger audit: an audit-enabled policy that matched audits what a quiet policy decided',
    policies: [
      { ...allowAlice('quiet'), auditEnabled: false },
      { name: 'loud for bob', resources: ordersTable, deny: [item(['select'], { users: ['bob'] })] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'quiet', audit: true },
  },
  {
    name: 'Ranger audit: only quiet policies matched',
    policies: [{ name: 'quiet bob', auditEnabled: false, resources: ordersTable, allow: [item(['select'], { users: ['bob'] })] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: null, audit: false },
  },

  // Ranger's isDenyAllElse (RangerDefaultPolicyEvaluator.evaluatePolicyItems: no item decided, the policy denies)
  {
    name: 'Ranger isDenyAllElse: an access its items do not allow is denied despite another allow',
    policies: [
      { ...allowAlice('select only'), denyAllElse: true },
      { name: 'wh insert', resources: { warehouse: v('wh') }, allow: [item(['insert'], alice)] },
    ],
    access: 'insert',
    resource: orders,
    expect: { decision: 'deny', policy: 'select only' },
  },
  {
    name: 'Ranger isDenyAllElse: what its items allow stays allowed',
    policies: [
      { ...allowAlice('select only'), denyAllElse: true },
      { name: 'wh insert', resources: { warehouse: v('wh') }, allow: [item(['insert'], alice)] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'select only' },
  },
  {
    name: 'Ranger isDenyAllElse: users its items do not name are denied',
    policies: [
      { ...allowAlice('select only'), denyAllElse: true },
      { name: 'wh all', resources: { warehouse: v('wh') }, allow: [item(['all'], { users: ['bob'] })] },
    ],
    subject: { user: 'bob' },
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'select only' },
  },
  {
    name: 'Ranger isDenyAllElse: resources it does not cover are left to others',
    policies: [
      { ...allowAlice('select only'), denyAllElse: true },
      { name: 'wh insert', resources: { warehouse: v('wh') }, allow: [item(['insert'], alice)] },
    ],
    access: 'insert',
    resource: { ...orders, table: 'customers' },
    expect: { decision: 'allow', policy: 'wh insert' },
  },
  {
    name: 'Ranger isDenyAllElse: an override allow stands over a normal deny-all-else',
    policies: [
      { ...allowAlice('select only'), denyAllElse: true },
      { name: 'override insert', priority: 'override', resources: { warehouse: v('wh') }, allow: [item(['insert'], alice)] },
    ],
    access: 'insert',
    resource: orders,
    expect: { decision: 'allow', policy: 'override insert' },
  },
  {
    name: 'Ranger isDenyAllElse: a policy on a table inside does not hide the namespace',
    policies: [{ ...allowAlice('select only'), denyAllElse: true }],
    subject: { user: 'bob' },
    access: 'any',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'deny', policy: null },
  },

  // Ranger's resource match types (RangerDefaultPolicyResourceMatcher): a policy that stops at a level is an ancestor of deeper requests
  {
    name: 'Ranger resources: a policy stopping at a namespace covers the namespace itself',
    policies: [{ name: 'sales db', resources: { warehouse: v('wh'), namespace: v('sales'), coversBelow: false }, allow: [item(['create'], alice)] }],
    access: 'create',
    resource: { warehouse: 'wh', namespace: ['sales'] },
    expect: { decision: 'allow', policy: 'sales db' },
  },
  {
    name: 'Ranger resources: a policy stopping at a namespace does not cover its tables (ancestor match)',
    policies: [{ name: 'sales db', resources: { warehouse: v('wh'), namespace: v('sales'), coversBelow: false }, allow: [item(['all'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: null, audit: false },
  },
  {
    name: 'Ranger resources: a deny stopping at a namespace does not deny its tables',
    policies: [
      allowAlice(),
      { name: 'no sales db', resources: { warehouse: v('wh'), namespace: v('sales'), coversBelow: false }, deny: [item(['all'], alice)] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'Ranger resources: table * stopping at tables covers tables, not their columns',
    policies: [
      { name: 'sales tables', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*'), coversBelow: false }, allow: [item(['select'], alice)] },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'deny', policy: null },
  },
  {
    name: 'Ranger resources: table * stopping at tables covers a table',
    policies: [
      { name: 'sales tables', resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*'), coversBelow: false }, allow: [item(['select'], alice)] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'sales tables' },
  },

  // Priority
  {
    name: 'an override allow beats a normal deny',
    policies: [
      { name: 'deny', resources: ordersTable, deny: [item(['select'], alice)] },
      { ...allowAlice('override allow'), priority: 'override' },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'override allow' },
  },
  {
    name: 'an override deny beats a normal allow',
    policies: [allowAlice(), { name: 'override deny', priority: 'override', resources: ordersTable, deny: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'override deny' },
  },
  {
    name: 'within override, deny beats allow',
    policies: [
      { ...allowAlice('override allow'), priority: 'override' },
      { name: 'override deny', priority: 'override', resources: ordersTable, deny: [item(['select'], alice)] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: 'override deny' },
  },
  {
    name: 'an override policy for someone else changes nothing',
    policies: [allowAlice(), { name: 'override deny bob', priority: 'override', resources: ordersTable, deny: [item(['select'], { users: ['bob'] })] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'allow alice' },
  },

  // Enabled and validity
  {
    name: 'a disabled policy does not exist',
    policies: [{ ...allowAlice(), enabled: false }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny', policy: null },
  },
  {
    name: 'a disabled deny does not deny',
    policies: [allowAlice(), { name: 'deny', enabled: false, resources: ordersTable, deny: [item(['select'], alice)] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'inside its validity window a policy applies',
    policies: [{ ...allowAlice('window'), validity: [{ start: wall(-HOUR, 'UTC'), end: wall(HOUR, 'UTC'), timeZone: 'UTC' }] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'window' },
  },
  {
    name: 'before its start a policy does not apply',
    policies: [{ ...allowAlice('later'), validity: [{ start: wall(HOUR, 'UTC'), timeZone: 'UTC' }] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'after its end a policy does not apply',
    policies: [{ ...allowAlice('expired'), validity: [{ end: wall(-HOUR, 'UTC'), timeZone: 'UTC' }] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'validity in another time zone: inside',
    policies: [{ ...allowAlice('tokyo'), validity: [{ start: wall(-HOUR, 'Asia/Tokyo'), end: wall(HOUR, 'Asia/Tokyo'), timeZone: 'Asia/Tokyo' }] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'validity in another time zone: the same wall time read as UTC would be outside',
    policies: [{ ...allowAlice('tokyo as utc'), validity: [{ start: wall(-HOUR, 'Asia/Tokyo'), end: wall(HOUR, 'Asia/Tokyo'), timeZone: 'UTC' }] }],
    access: 'select',
    resource: orders,
    expect: { decision: 'deny' },
  },
  {
    name: 'any one of several windows is enough',
    policies: [
      {
        ...allowAlice('two windows'),
        validity: [
          { end: wall(-2 * HOUR, 'UTC'), timeZone: 'UTC' },
          { start: wall(-HOUR, 'UTC'), timeZone: 'UTC' },
        ],
      },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'an expired deny no longer denies',
    policies: [
      allowAlice(),
      { name: 'old deny', resources: ordersTable, deny: [item(['select'], alice)], validity: [{ end: wall(-HOUR, 'UTC'), timeZone: 'UTC' }] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow' },
  },

  // Audit
  {
    name: 'the answer says not to audit when the deciding policy says so',
    policies: [{ ...allowAlice('quiet'), auditEnabled: false }],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', policy: 'quiet', audit: false },
  },
  {
    name: 'the answer says to audit when the deciding policy says so',
    policies: [allowAlice('loud')],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', audit: true },
  },

  // Tags
  {
    name: 'a tag policy denies an object with the tag',
    policies: [allowAlice(), { name: 'no pii', resources: { tags: { values: ['pii'] } }, deny: [item(['select'], { groups: ['public'] })] }],
    access: 'select',
    resource: { ...orders, tags: ['pii'] },
    expect: { decision: 'deny', policy: 'no pii' },
  },
  {
    name: 'a tag policy leaves untagged objects alone',
    policies: [allowAlice(), { name: 'no pii', resources: { tags: { values: ['pii'] } }, deny: [item(['select'], { groups: ['public'] })] }],
    access: 'select',
    resource: { ...orders, tags: ['finance'] },
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'tags match regardless of case',
    policies: [{ name: 'finance readers', resources: { tags: { values: ['Finance'] } }, allow: [item(['select'], alice)] }],
    access: 'select',
    resource: { ...orders, tags: ['FINANCE'] },
    expect: { decision: 'allow', policy: 'finance readers' },
  },
  // Ranger's tag service: the default EXPIRES_ON policy denies everyone once the tag's expiry_date has passed
  // (accessed-after-expiry, ctx.isAccessedAfter('expiry_date'): at or after the date, or no date at all).
  {
    name: 'EXPIRES_ON: after the expiry date the deny applies',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: expiring('2026/01/01'),
    accessTime: '2026-06-01T00:00:00Z',
    expect: { decision: 'deny', policy: 'EXPIRES_ON' },
  },
  {
    name: 'EXPIRES_ON: before the expiry date the allow stands',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: expiring('2026/01/01'),
    accessTime: '2025-12-31T23:59:59Z',
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'EXPIRES_ON: at the expiry date (00:00 UTC) it has expired',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: expiring('2026/01/01'),
    accessTime: '2026-01-01T00:00:00Z',
    expect: { decision: 'deny', policy: 'EXPIRES_ON' },
  },
  {
    name: 'EXPIRES_ON: an Atlas timestamp expires at its instant',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: expiring('2026-01-01T12:00:00.000Z'),
    accessTime: '2026-01-01T11:59:59Z',
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'EXPIRES_ON: an Atlas timestamp, reached',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: expiring('2026-01-01T12:00:00.000Z'),
    accessTime: '2026-01-01T12:00:00Z',
    expect: { decision: 'deny', policy: 'EXPIRES_ON' },
  },
  {
    name: 'EXPIRES_ON: a tag without expiry_date counts as expired, as in Ranger',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: { ...orders, tags: ['EXPIRES_ON'] },
    accessTime: '2020-01-01T00:00:00Z',
    expect: { decision: 'deny', policy: 'EXPIRES_ON' },
  },
  {
    name: 'EXPIRES_ON: the tag name matches regardless of case, its attributes with it',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: { ...orders, tags: ['expires_on'], tagAttributes: { expires_on: { expiry_date: '2030/01/01' } } },
    accessTime: '2026-01-01T00:00:00Z',
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'EXPIRES_ON: objects without the tag are not touched',
    policies: [allowAlice(), expiresOn()],
    access: 'select',
    resource: { ...orders, tags: ['finance'] },
    accessTime: '2030-01-01T00:00:00Z',
    expect: { decision: 'allow', policy: 'allow alice' },
  },
  {
    name: 'accessed-after-expiry "no": an allow until the expiry date',
    policies: [
      {
        name: 'until expiry',
        resources: { tags: { values: ['RETAINED'] } },
        allow: [{ ...item(['select'], alice), conditions: [{ type: 'accessed-after-expiry', values: ['no'] }] }],
      },
    ],
    access: 'select',
    resource: { ...orders, tags: ['RETAINED'], tagAttributes: { RETAINED: { expiry_date: '2026/01/01' } } },
    accessTime: '2025-06-01T00:00:00Z',
    expect: { decision: 'allow', policy: 'until expiry' },
  },
  {
    name: 'accessed-after-expiry "no": nothing allows after the expiry date',
    policies: [
      {
        name: 'until expiry',
        resources: { tags: { values: ['RETAINED'] } },
        allow: [{ ...item(['select'], alice), conditions: [{ type: 'accessed-after-expiry', values: ['no'] }] }],
      },
    ],
    access: 'select',
    resource: { ...orders, tags: ['RETAINED'], tagAttributes: { RETAINED: { expiry_date: '2026/01/01' } } },
    accessTime: '2026-06-01T00:00:00Z',
    expect: { decision: 'deny', policy: null },
  },
  {
    name: 'accessed-after-expiry reads each matched tag on its own: one expired tag of two denies',
    policies: [allowAlice(), { ...expiresOn(), resources: { tags: { values: ['EXPIRES_ON', 'RETAINED'] } } }],
    access: 'select',
    resource: {
      ...orders,
      tags: ['EXPIRES_ON', 'RETAINED'],
      tagAttributes: { EXPIRES_ON: { expiry_date: '2030/01/01' }, RETAINED: { expiry_date: '2026/01/01' } },
    },
    accessTime: '2026-06-01T00:00:00Z',
    expect: { decision: 'deny', policy: 'EXPIRES_ON' },
  },
  {
    name: 'accessed-after-expiry on a policy condition: the policy takes part once the date passed',
    policies: [
      allowAlice(),
      {
        name: 'expired tag deny',
        resources: { tags: { values: ['EXPIRES_ON'] } },
        conditions: [{ type: 'accessed-after-expiry', values: ['yes'] }],
        deny: [item(['select'], { groups: ['public'] })],
      },
    ],
    access: 'select',
    resource: expiring('2026/01/01'),
    accessTime: '2025-06-01T00:00:00Z',
    expect: { decision: 'allow', policy: 'allow alice' },
  },

  // Masks
  ...(['MASK', 'MASK_SHOW_LAST_4', 'MASK_SHOW_FIRST_4', 'MASK_HASH', 'MASK_NULL', 'MASK_DATE_SHOW_YEAR'] as const).map((type): DecisionCase => ({
    name: `mask ${type} on a column`,
    policies: [
      allowAlice(),
      { name: `mask ${type}`, type: 'masking', resources: { ...ordersTable, column: v('email') }, masks: [{ users: ['alice'], groups: [], roles: [], type }] },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow', masks: [{ column: 'email', type }] },
  })),
  {
    name: 'a CUSTOM mask with {col} filled in',
    policies: [
      allowAlice(),
      {
        name: 'custom',
        type: 'masking',
        resources: { ...ordersTable, column: v('email') },
        masks: [{ users: ['alice'], groups: [], roles: [], type: 'CUSTOM', expression: "concat('***', substr({col}, 5))" }],
      },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow', masks: [{ column: 'email', type: 'CUSTOM', expression: "concat('***', substr(email, 5))" }] },
  },
  {
    name: 'MASK_NONE: no mask for this user',
    policies: [
      allowAlice(),
      {
        name: 'none for alice',
        type: 'masking',
        resources: { ...ordersTable, column: v('email') },
        masks: [
          { users: ['alice'], groups: [], roles: [], type: 'MASK_NONE' },
          { users: [], groups: ['public'], roles: [], type: 'MASK' },
        ],
      },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow', masks: [] },
  },
  {
    name: 'the first mask item that matches decides',
    policies: [
      allowAlice(),
      {
        name: 'two items',
        type: 'masking',
        resources: { ...ordersTable, column: v('email') },
        masks: [
          { users: [], groups: ['public'], roles: [], type: 'MASK_HASH' },
          { users: ['alice'], groups: [], roles: [], type: 'MASK_NULL' },
        ],
      },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow', masks: [{ column: 'email', type: 'MASK_HASH' }] },
  },
  {
    name: 'a mask for others leaves this user unmasked',
    policies: [
      allowAlice(),
      {
        name: 'mask bob',
        type: 'masking',
        resources: { ...ordersTable, column: v('email') },
        masks: [{ users: ['bob'], groups: [], roles: [], type: 'MASK' }],
      },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow', masks: [] },
  },
  {
    name: 'an override masking policy comes before a normal one',
    policies: [
      allowAlice(),
      {
        name: 'normal mask',
        type: 'masking',
        resources: { ...ordersTable, column: v('email') },
        masks: [{ users: ['alice'], groups: [], roles: [], type: 'MASK' }],
      },
      {
        name: 'override none',
        type: 'masking',
        priority: 'override',
        resources: { ...ordersTable, column: v('email') },
        masks: [{ users: ['alice'], groups: [], roles: [], type: 'MASK_NONE' }],
      },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'allow', masks: [] },
  },
  {
    name: 'a table read lists the masks on its columns',
    policies: [
      allowAlice(),
      {
        name: 'email',
        type: 'masking',
        resources: { ...ordersTable, column: v('email') },
        masks: [{ users: ['alice'], groups: [], roles: [], type: 'MASK_SHOW_LAST_4' }],
      },
      {
        name: 'phone',
        type: 'masking',
        resources: { ...ordersTable, column: v('phone') },
        masks: [{ users: [], groups: ['public'], roles: [], type: 'MASK_NULL' }],
      },
    ],
    access: 'select',
    resource: orders,
    expect: {
      decision: 'allow',
      masks: [
        { column: 'email', type: 'MASK_SHOW_LAST_4' },
        { column: 'phone', type: 'MASK_NULL' },
      ],
    },
  },
  {
    name: 'a table read with its columns listed: masks by wildcard too',
    policies: [
      allowAlice(),
      {
        name: 'all *_id',
        type: 'masking',
        resources: { ...ordersTable, column: v('*_id') },
        masks: [{ users: ['alice'], groups: [], roles: [], type: 'MASK_HASH' }],
      },
    ],
    access: 'select',
    resource: { ...orders, columns: ['order_id', 'amount', 'customer_id'] },
    expect: {
      decision: 'allow',
      masks: [
        { column: 'order_id', type: 'MASK_HASH' },
        { column: 'customer_id', type: 'MASK_HASH' },
      ],
    },
  },
  {
    name: 'a tag-based mask',
    policies: [
      allowAlice(),
      { name: 'pii masked', type: 'masking', resources: { tags: { values: ['pii'] } }, masks: [{ users: [], groups: ['public'], roles: [], type: 'MASK' }] },
    ],
    access: 'select',
    resource: { ...orders, column: 'email', tags: ['pii'] },
    expect: { decision: 'allow', masks: [{ column: 'email', type: 'MASK' }] },
  },
  {
    name: 'no masks on a denied read',
    policies: [
      { name: 'mask', type: 'masking', resources: { ...ordersTable, column: v('email') }, masks: [{ users: ['alice'], groups: [], roles: [], type: 'MASK' }] },
    ],
    access: 'select',
    resource: { ...orders, column: 'email' },
    expect: { decision: 'deny', masks: [] },
  },

  // Row filters
  {
    name: "a row filter for the user's group",
    policies: [
      allowAlice(),
      { name: 'emea rows', type: 'row-filter', resources: ordersTable, rowFilters: [{ users: [], groups: ['emea'], roles: [], filter: "region = 'EMEA'" }] },
    ],
    subject: { user: 'alice', groups: ['emea'] },
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: "region = 'EMEA'" },
  },
  {
    name: 'no row filter for someone the policy does not name',
    policies: [
      allowAlice(),
      { name: 'emea rows', type: 'row-filter', resources: ordersTable, rowFilters: [{ users: [], groups: ['emea'], roles: [], filter: "region = 'EMEA'" }] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: null },
  },
  {
    name: 'the first row filter item that matches decides',
    policies: [
      allowAlice(),
      {
        name: 'rows',
        type: 'row-filter',
        resources: ordersTable,
        rowFilters: [
          { users: ['alice'], groups: [], roles: [], filter: 'amount < 100' },
          { users: [], groups: ['public'], roles: [], filter: '1 = 0' },
        ],
      },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: 'amount < 100' },
  },
  {
    name: 'a row filter by wildcard table',
    policies: [
      allowAlice(),
      {
        name: 'rows',
        type: 'row-filter',
        resources: { ...ordersTable, table: v('ord*') },
        rowFilters: [{ users: ['alice'], groups: [], roles: [], filter: 'customer_id = 42' }],
      },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: 'customer_id = 42' },
  },
  {
    name: 'an expired row filter does not apply',
    policies: [
      allowAlice(),
      {
        name: 'rows',
        type: 'row-filter',
        resources: ordersTable,
        rowFilters: [{ users: ['alice'], groups: [], roles: [], filter: '1 = 0' }],
        validity: [{ end: wall(-HOUR, 'UTC'), timeZone: 'UTC' }],
      },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: null },
  },
  {
    name: 'a disabled row filter does not apply',
    policies: [
      allowAlice(),
      { name: 'rows', type: 'row-filter', enabled: false, resources: ordersTable, rowFilters: [{ users: ['alice'], groups: [], roles: [], filter: '1 = 0' }] },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: null },
  },
  {
    name: 'an override row filter comes before a normal one',
    policies: [
      allowAlice(),
      { name: 'normal rows', type: 'row-filter', resources: ordersTable, rowFilters: [{ users: ['alice'], groups: [], roles: [], filter: '1 = 0' }] },
      {
        name: 'override rows',
        priority: 'override',
        type: 'row-filter',
        resources: ordersTable,
        rowFilters: [{ users: ['alice'], groups: [], roles: [], filter: 'amount > 0' }],
      },
    ],
    access: 'select',
    resource: orders,
    expect: { decision: 'allow', rowFilter: 'amount > 0' },
  },

  // Seeing
  {
    name: 'a deny of all hides a table even with an allow',
    policies: [allowAlice(), { name: 'hide', resources: ordersTable, deny: [item(['all'], alice)] }],
    access: 'any',
    resource: orders,
    expect: { decision: 'deny', policy: 'hide' },
  },
  {
    name: 'a deny of select alone does not hide a table the user may write',
    policies: [allowAlice('w', ['insert']), { name: 'no select', resources: ordersTable, deny: [item(['select'], alice)] }],
    access: 'any',
    resource: orders,
    expect: { decision: 'allow' },
  },
  {
    name: 'admins: role admin through the shipped policy shape',
    policies: [
      {
        name: 'all - admin',
        resources: { warehouse: v('*'), namespace: rec('*'), table: v('*'), column: v('*') },
        allow: [item(['all'], { roles: ['admin'] })],
      },
    ],
    subject: { user: 'root', roles: ['admin'] },
    access: 'drop',
    resource: { warehouse: 'wh', namespace: ['a', 'b'], table: 't' },
    expect: { decision: 'allow', policy: 'all - admin' },
  },
];
