/** What a failure counter counts: see credential-throttle.ts. */
export type ThrottleScope = 'account' | 'address' | 'client' | 'global';

/**
 * The failed-credential counters of the token endpoint, kept where every replica on the database counts alike. Keys
 * are hashes (credential-throttle.ts); the store neither knows nor keeps what they stand for.
 */
export interface ThrottleStore {
  /** The keys among `ids` that are blocked now, with the seconds left of each block (a fraction). */
  blocked(ids: readonly string[]): Promise<Array<{ key: string; waitSeconds: number }>>;
  /**
   * Counts one failure on a key and returns its count, in one statement, so concurrent failures on several replicas
   * each count; a key whose failures have expired starts again from one. The key is kept `keepSeconds` from now, or
   * until its block ends if that is later.
   */
  increment(id: string, scope: ThrottleScope, keepSeconds: number): Promise<number>;
  /** Blocks a key for `seconds` from now, unless it is blocked (and kept) longer already. */
  block(id: string, seconds: number): Promise<void>;
  /** Forgets the failures of these keys. */
  forget(ids: readonly string[]): Promise<void>;
  /** Deletes up to `limit` expired keys. */
  sweepExpired(limit: number): Promise<void>;
}
