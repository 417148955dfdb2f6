import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  it('lets a burst through, refuses the next with the wait until one token is back, and refills at the rate', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) expect(buckets.take('k', 2, 3, 0).allowed).toBe(true);
    const refused = buckets.take('k', 2, 3, 0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeCloseTo(0.5);
    expect(buckets.take('k', 2, 3, 499).allowed).toBe(false);
    expect(buckets.take('k', 2, 3, 1000).allowed).toBe(true);
  });

  it('keeps keys apart and forgets the least recently used past its bound', () => {
    const buckets = new TokenBuckets(2);
    expect(buckets.take('a', 1, 1, 0).allowed).toBe(true);
    expect(buckets.take('b', 1, 1, 0).allowed).toBe(true);
    expect(buckets.take('a', 1, 1, 0).allowed).toBe(false);
    buckets.take('c', 1, 1, 0);
    expect(buckets.size).toBe(2);
    // b was the least recently used: forgotten, it starts full again.
    expect(buckets.take('b', 1, 1, 0).allowed).toBe(true);
  });
});
