import { describe, expect, it } from 'vitest';
import { MetadataCache, tableKey } from './metadata-cache.js';

const known = (n: number) => ({
  id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
  version: 1,
  location: `file:///wh/t${n}/metadata/00000-x.metadata.json`,
});

describe('MetadataCache', () => {
  it('keeps within its bound, dropping the least recently used table first', () => {
    const cache = new MetadataCache(1_000);
    cache.remember(tableKey('wh', ['db'], 'a'), known(1), 'a'.repeat(100));
    cache.remember(tableKey('wh', ['db'], 'b'), known(2), 'b'.repeat(100));
    for (let i = 0; i < 9; i++) cache.remember(tableKey('wh', ['db'], `x${i}`), known(10 + i), 'x'.repeat(100));
    // 11 x 100 chars is over 1,000: the oldest entry, a, went.
    expect(cache.get(tableKey('wh', ['db'], 'a'))).toBeUndefined();
    expect(cache.get(tableKey('wh', ['db'], 'b'))?.text).toBe('b'.repeat(100));
    // b was just used, so the next one to go is x0.
    cache.remember(tableKey('wh', ['db'], 'y'), known(30), 'y'.repeat(100));
    expect(cache.get(tableKey('wh', ['db'], 'x0'))).toBeUndefined();
    expect(cache.get(tableKey('wh', ['db'], 'b'))).toBeDefined();
  });

  it('serves a table too large to keep without keeping it', () => {
    const cache = new MetadataCache(1_000);
    const entry = cache.remember(tableKey('wh', ['db'], 'big'), known(1), 'z'.repeat(101));
    expect(entry.text.length).toBe(101);
    expect(cache.get(tableKey('wh', ['db'], 'big'))).toBeUndefined();
  });

  it('keys tables by warehouse, namespace levels and name without ambiguity', () => {
    expect(tableKey('wh', ['a', 'b'], 'c')).not.toBe(tableKey('wh', ['a'], 'b\u0000c'));
    expect(tableKey('wh', ['a.b'], 'c')).not.toBe(tableKey('wh', ['a', 'b'], 'c'));
  });
});
