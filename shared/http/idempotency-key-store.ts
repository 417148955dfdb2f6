/** What is kept for a key: the request it stands for and its answer (status 0: the first attempt has not committed). */
export interface KeptAnswer {
  readonly operation: string;
  readonly status: number;
  readonly body: string | null;
}

/** A key as it is written: where it is unique, the request it stands for, and who sent it. */
export interface IdempotencyKeyRecord {
  readonly scope: string;
  readonly key: string;
  readonly operation: string;
  readonly principal: string;
}

/** Every route's Idempotency-Keys (idempotency.ts), one row per key and scope. */
export interface IdempotencyKeyStore {
  find(scope: string, key: string): Promise<KeptAnswer | undefined>;
  /**
   * Writes the key with no answer yet, in the transaction the change commits in: a concurrent request with the same
   * key waits on it, then fails on the unique index (isUniqueViolation) and replays what this one answered.
   */
  claim(record: IdempotencyKeyRecord): Promise<void>;
  /** Keeps the answer of a claimed key, before its transaction commits. */
  settle(scope: string, key: string, answer: { readonly status: number; readonly body: string | null }): Promise<void>;
  /** Keeps a refusal on its own, unless the key holds an answer already (a concurrent attempt's). */
  keepRefusal(record: IdempotencyKeyRecord, answer: { readonly status: number; readonly body: string }): Promise<void>;
  /**
   * Forgets the keys of an owner's scopes (`owner` itself and `owner/...`) written before `before`. Several services
   * may run it at once: each deletes what it finds expired, and a row is deleted once.
   */
  deleteExpired(owner: string, before: Date): Promise<number>;
}
