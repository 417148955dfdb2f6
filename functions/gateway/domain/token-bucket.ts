/**
 * Token buckets by key: each key holds up to `burst` requests and earns `rate` back per second. Pure (the clock is
 * passed in), so the arithmetic is tested without waiting.
 */
export interface BucketVerdict {
  readonly allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  readonly remaining: number;
  /** Seconds until the next request would be allowed (0 when one is). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly fullInSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  /** `maxKeys` bounds the memory a spray of keys (client addresses) can take; the longest-unused key is forgotten first. */
  constructor(private readonly maxKeys = 100_000) {}

  take(key: string, rate: number, burst: number, nowMs: number): BucketVerdict {
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * rate);
      bucket.at = nowMs;
      // Re-inserted: Map order is then least recently used first, which is what eviction takes.
      this.buckets.delete(key);
    } else {
      bucket = { tokens: burst, at: nowMs };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: allowed ? 0 : (1 - bucket.tokens) / rate,
      fullInSeconds: (burst - bucket.tokens) / rate,
    };
  }

  get size(): number {
    return this.buckets.size;
  }
}
