import type { JWK } from 'jose';

/** A key pair as it is kept: both halves as JWKs. */
export interface NewSigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export interface StoredSigningKey extends NewSigningKey {
  /** When a newer key took over signing; null for the key that signs. */
  readonly retiredAt: Date | null;
}

/**
 * The keys access tokens are signed with, kept where every function and replica reads the same set (signing-keys.ts).
 * Key changes take a lock every process takes, so two processes starting at once make one key, not two.
 */
export interface SigningKeyStore {
  /** Stores the key `generate` makes when no key signs; does nothing (and generates nothing) when one does. */
  ensureSigningKey(generate: () => Promise<NewSigningKey>): Promise<void>;
  /** Retires the signing key(s) and stores the key `generate` makes as the signer, at once. */
  rotate(generate: () => Promise<NewSigningKey>): Promise<{ kid: string; retired: string[] }>;
  /** The keys that sign or were retired after `horizon`, newest first. */
  liveKeys(horizon: Date): Promise<StoredSigningKey[]>;
}
