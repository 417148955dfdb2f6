import { describe, expect, it } from 'vitest';
import { namePattern } from './name-patterns.js';
import { DEFAULT_PARTITION_NAME, escapePathName, partitionName, partitionValuesOf, unescapePathName } from './partition-names.js';

describe("Hive's partition names", () => {
  it('escapes as Hive escapes a path segment, and back', () => {
    expect(escapePathName('2026-01-02 10:00')).toBe('2026-01-02 10%3A00');
    expect(escapePathName('a/b=c%d')).toBe('a%2Fb%3Dc%25d');
    expect(escapePathName('')).toBe(DEFAULT_PARTITION_NAME);
    expect(unescapePathName('a%2Fb%3Dc%25d')).toBe('a/b=c%d');
    expect(unescapePathName('100%')).toBe('100%');
  });

  it('names a partition k1=v1/k2=v2 with keys in lower case, and reads the values back', () => {
    const name = partitionName(['Day', 'region'], ['2026-01-02', 'eu/west']);
    expect(name).toBe('day=2026-01-02/region=eu%2Fwest');
    expect(partitionValuesOf(['day', 'region'], name)).toEqual(['2026-01-02', 'eu/west']);
    expect(partitionValuesOf(['day'], name)).toBeUndefined();
    expect(partitionValuesOf(['region', 'day'], name)).toBeUndefined();
  });
});

describe('name patterns', () => {
  it("match whole names, '*' and '|', in any case, and nothing else is special", () => {
    const p = namePattern('sales*|Orders');
    expect(['sales', 'sales_2026', 'orders', 'ORDERS'].every(p)).toBe(true);
    expect(['presales', 'orders2'].some(p)).toBe(false);
    expect(namePattern('a.c')('abc')).toBe(false);
    expect(namePattern(undefined)('x')).toBe(true);
  });
});
