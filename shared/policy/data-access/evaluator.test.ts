import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DataPolicySet } from './evaluator.js';
import { DataPolicyInput, type DataPolicy } from './policy-schema.js';

/** timeInvariant lets a caller keep decisions for as long as it holds the set: it must be false whenever time or a condition can change one. */
const v = (...values: string[]) => ({ values });
const policy = (doc: Record<string, unknown>, i = 0): DataPolicy => ({
  ...(Value.Default(DataPolicyInput, Value.Clone({ name: `p${i}`, ...doc })) as DataPolicyInput),
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  version: 1,
});
const invariant = (...docs: Array<Record<string, unknown>>) =>
  new DataPolicySet(
    docs.map((d, i) => policy(d, i)),
    1,
  ).timeInvariant;
const reads = { resources: { warehouse: v('wh'), namespace: v('sales'), table: v('orders') }, allow: [{ users: ['ann'], accesses: ['select'] }] };
const when = [{ type: '_expression', values: ['true'] }];

describe('DataPolicySet.timeInvariant', () => {
  it('holds for plain grants, masks and filters, and for none', () => {
    expect(invariant()).toBe(true);
    expect(invariant(reads)).toBe(true);
    expect(invariant(reads, { type: 'masking', resources: { ...reads.resources, column: v('c') }, masks: [{ users: ['ann'], type: 'MASK' }] })).toBe(true);
  });

  it('does not hold once any enabled policy has a validity schedule, a condition, or an item with one', () => {
    expect(invariant(reads, { ...reads, name: 'later', validity: [{ start: '2999/01/01 00:00:00', timeZone: 'UTC' }] })).toBe(false);
    expect(invariant({ ...reads, conditions: when })).toBe(false);
    expect(invariant({ ...reads, allow: [{ users: ['ann'], accesses: ['select'], conditions: when }] })).toBe(false);
    expect(invariant({ ...reads, deny: [{ users: ['bob'], accesses: ['select'], conditions: when }] })).toBe(false);
    expect(invariant({ ...reads, allowExceptions: [{ users: ['bob'], accesses: ['select'], conditions: when }] })).toBe(false);
    expect(invariant({ type: 'row-filter', resources: reads.resources, rowFilters: [{ users: ['ann'], filter: 'id > 1', conditions: when }] })).toBe(false);
    // A disabled policy takes no part in any decision.
    expect(invariant(reads, { ...reads, name: 'off', enabled: false, conditions: when })).toBe(true);
  });
});
