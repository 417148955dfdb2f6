import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { delegationFor } from './delegated-admin.js';
import { DataPolicySet } from './evaluator.js';
import { DataPolicyInput, type DataPolicy } from './policy-schema.js';

/** Ranger's delegated administration: which policies a delegateAdmin grant lets its holder manage. */
const v = (...values: string[]) => ({ values });
const policy = (doc: Record<string, unknown>, i = 0): DataPolicy => ({
  ...(Value.Default(DataPolicyInput, Value.Clone({ name: `p${i}`, ...doc })) as DataPolicyInput),
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  version: 1,
});
const dana = { user: 'dana', groups: ['stewards'], roles: [] };

function delegationsOf(...docs: Array<Record<string, unknown>>) {
  return new DataPolicySet(
    docs.map((d, i) => policy(d, i)),
    1,
  ).delegationsOf(dana);
}

const salesStewards = {
  resources: { warehouse: v('wh'), namespace: v('sales'), table: v('*') },
  allow: [{ groups: ['stewards'], accesses: ['select', 'insert'], delegateAdmin: true }],
};
const grant = (resources: Record<string, unknown>, accesses = ['select'], extra: Record<string, unknown> = {}) =>
  policy({ name: 'target', resources, allow: [{ users: ['eve'], accesses }], ...extra }, 99);

describe('delegated administration (delegateAdmin)', () => {
  it('finds only allow items with delegateAdmin that name the subject, in enabled access policies in force', () => {
    expect(delegationsOf(salesStewards)).toHaveLength(1);
    expect(delegationsOf({ ...salesStewards, enabled: false })).toHaveLength(0);
    expect(delegationsOf({ ...salesStewards, allow: [{ groups: ['stewards'], accesses: ['select'] }] })).toHaveLength(0);
    expect(delegationsOf({ ...salesStewards, allow: [{ groups: ['others'], accesses: ['select'], delegateAdmin: true }] })).toHaveLength(0);
    expect(delegationsOf({ ...salesStewards, deny: [{ users: ['dana'], accesses: ['all'], delegateAdmin: true }], allow: [] })).toHaveLength(0);
    expect(delegationsOf({ ...salesStewards, validity: [{ end: '2000/01/01 00:00:00', timeZone: 'UTC' }] })).toHaveLength(0);
    expect(delegationsOf({ resources: { tags: { values: ['pii'] } }, allow: [{ users: ['dana'], accesses: ['select'], delegateAdmin: true }] })).toHaveLength(
      0,
    );
    // Storage paths and conditional grants delegate nothing: neither has a place in the catalog's hierarchy to delegate.
    expect(
      delegationsOf({ resources: { url: { values: ['s3://lake/x'] } }, allow: [{ users: ['dana'], accesses: ['read'], delegateAdmin: true }] }),
    ).toHaveLength(0);
    expect(
      delegationsOf({
        ...salesStewards,
        allow: [{ groups: ['stewards'], accesses: ['select'], delegateAdmin: true, conditions: [{ type: '_expression', values: ['true'] }] }],
      }),
    ).toHaveLength(0);
    expect(delegationsOf({ ...salesStewards, conditions: [{ type: '_expression', values: ['true'] }] })).toHaveLength(0);
  });

  it('a delegation over every warehouse does not reach storage-path policies', () => {
    const everything = { resources: { warehouse: v('*') }, allow: [{ users: ['dana'], accesses: ['all'], delegateAdmin: true }] };
    expect(delegationFor(delegationsOf(everything), grant({ url: { values: ['s3://lake/x'], recursive: true } }, ['read']))).toBeUndefined();
    expect(delegationFor(delegationsOf(everything), grant({ warehouse: v('wh') }))).toBeDefined();
  });

  const cases: Array<[string, Record<string, unknown>, DataPolicy, boolean]> = [
    ['a table inside the delegated namespace', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }), true],
    ['every table of it, by the same wildcard', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: v('*') }), true],
    ['a narrower wildcard', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: v('ord*') }), true],
    ['a column of a table inside', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders'), column: v('total') }), true],
    ['another namespace', salesStewards, grant({ warehouse: v('wh'), namespace: v('hr'), table: v('orders') }), false],
    ['one of its values outside', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales', 'hr'), table: v('orders') }), false],
    ['a level left out (every namespace)', salesStewards, grant({ warehouse: v('wh') }), false],
    [
      'a wider wildcard',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: v('sales'), table: v('ord*') } },
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('*') }),
      false,
    ],
    ['an exclude list (open-ended)', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: { values: ['secret'], excludes: true } }), true],
    [
      'an exclude list under a named value',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') } },
      grant({ warehouse: v('wh'), namespace: v('sales'), table: { values: ['secret'], excludes: true } }),
      false,
    ],
    [
      'a value outside what the delegation excludes',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: { values: ['hr'], excludes: true } } },
      grant({ warehouse: v('wh'), namespace: v('sales') }),
      true,
    ],
    [
      'the excluded value itself',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: { values: ['hr'], excludes: true } } },
      grant({ warehouse: v('wh'), namespace: v('hr') }),
      false,
    ],
    [
      'a wildcard next to an exclude list',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: { values: ['hr'], excludes: true } } },
      grant({ warehouse: v('wh'), namespace: v('h*') }),
      false,
    ],
    [
      'a nested namespace under a recursive delegation',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: { values: ['sales'], recursive: true } } },
      grant({ warehouse: v('wh'), namespace: v('sales.eu') }),
      true,
    ],
    [
      'a recursive target under a recursive delegation',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: { values: ['sales'], recursive: true } } },
      grant({ warehouse: v('wh'), namespace: { values: ['sales'], recursive: true } }),
      true,
    ],
    [
      'a nested namespace, delegation not recursive',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: v('sales') } },
      grant({ warehouse: v('wh'), namespace: v('sales.eu') }),
      false,
    ],
    [
      'a recursive target, delegation not recursive',
      { ...salesStewards, resources: { warehouse: v('wh'), namespace: v('sales') } },
      grant({ warehouse: v('wh'), namespace: { values: ['sales'], recursive: true } }),
      false,
    ],
    [
      'an access within the delegated ones',
      salesStewards,
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, ['select', 'insert']),
      true,
    ],
    ['an access beyond them', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, ['delete']), false],
    ['all, beyond them', salesStewards, grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, ['all']), false],
    [
      'any access under a delegation of all',
      { ...salesStewards, allow: [{ users: ['dana'], accesses: ['all'], delegateAdmin: true }] },
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, ['all']),
      true,
    ],
    [
      'a deny of a delegated access',
      salesStewards,
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, ['select'], { allow: [], deny: [{ users: ['eve'], accesses: ['select'] }] }),
      true,
    ],
    [
      'an exception of an access not delegated',
      salesStewards,
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, ['select'], { allowExceptions: [{ users: ['eve'], accesses: ['drop'] }] }),
      false,
    ],
    [
      'a masking policy inside (needs select)',
      salesStewards,
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders'), column: v('email') }, ['select'], {
        type: 'masking',
        allow: [],
        masks: [{ users: ['eve'], type: 'MASK' }],
      }),
      true,
    ],
    [
      'a masking policy under a delegation without select',
      { ...salesStewards, allow: [{ users: ['dana'], accesses: ['insert'], delegateAdmin: true }] },
      grant({ warehouse: v('wh'), namespace: v('sales'), table: v('orders'), column: v('email') }, ['select'], {
        type: 'masking',
        allow: [],
        masks: [{ users: ['eve'], type: 'MASK' }],
      }),
      false,
    ],
    ['a tag-based policy (admins only)', { ...salesStewards, resources: {} }, grant({ tags: { values: ['pii'] } }), false],
    ['anything under a delegation of every resource', { ...salesStewards, resources: {} }, grant({ warehouse: v('other'), namespace: v('x') }), true],
    ['names are matched ignoring case, as decisions are', salesStewards, grant({ warehouse: v('WH'), namespace: v('Sales'), table: v('orders') }), true],
  ];

  it.each(cases)('%s', (_name, delegating, target, covered) => {
    expect(delegationFor(delegationsOf(delegating), target) !== undefined).toBe(covered);
  });
});
