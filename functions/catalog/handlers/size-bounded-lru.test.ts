import { describe, expect, it } from 'vitest';
import { SizeBoundedLru } from './size-bounded-lru.js';

describe('SizeBoundedLru', () => {
  it('evicts the least recently used first to stay within its bound', () => {
    const lru = new SizeBoundedLru<string>(100);
    lru.set('a', 'A', 10);
    lru.set('b', 'B', 10);
    expect(lru.get('a')).toBe('A'); // now b is the coldest
    for (let i = 0; i < 8; i++) lru.set(`x${i}`, 'X', 10);
    lru.set('c', 'C', 10);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
  });

  it('keeps nothing above a tenth of its bound, and drops what was under that key', () => {
    const lru = new SizeBoundedLru<string>(100);
    lru.set('a', 'small', 5);
    lru.set('a', 'huge', 11);
    expect(lru.get('a')).toBeUndefined();
  });

  it('counts growth only while the entry is kept, evicting others (or it) to make room', () => {
    const lru = new SizeBoundedLru<string>(20);
    lru.set('a', 'A', 2);
    lru.set('b', 'B', 2);
    lru.grow('a', 'A', 17); // 21 > 20: the coldest (a itself) goes first
    expect(lru.holds('a', 'A')).toBe(false);
    lru.grow('a', 'A', 1); // not kept: nothing counted
    lru.set('c', 'C', 2);
    lru.grow('c', 'C', 14); // 2 + 16 = 18: fits
    expect(lru.holds('b', 'B')).toBe(true);
    expect(lru.holds('c', 'C')).toBe(true);
    lru.set('d', 'D', 2); // 20: still fits
    expect(lru.holds('b', 'B')).toBe(true);
    lru.set('e', 'E', 1); // 21: b, the coldest, goes
    expect(lru.holds('b', 'B')).toBe(false);
    expect(lru.holds('c', 'C')).toBe(true);
  });
});
