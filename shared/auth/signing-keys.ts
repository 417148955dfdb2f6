import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { NewSigningKey, SigningKeyStore } from './signing-key-store.js';

export const SIGNING_ALG = 'EdDSA';

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey: CryptoKey | undefined;
  retiredAt: Date | null;
}

/** A fresh Ed25519 key pair, named by the day it was made. */
async function newKey(): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const kid = `lp-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  return { kid, alg: SIGNING_ALG, publicJwk, privateJwk };
}

/**
 * The keys access tokens are signed with. Exactly one key signs (the newest unretired one); retired keys stay
 * published in the JWKS until every token they signed has expired, so rotation never invalidates a live token.
 * Keys live in the store (signing-key-store.ts) so every function and replica verifies with the same set.
 */
export class SigningKeyRing {
  private keys = new Map<string, LoadedKey>();
  private active: LoadedKey | undefined;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly maxTokenTtlSeconds: number,
    private readonly refreshMs = 60_000,
  ) {}

  /** Creates the first key if the store has none. Safe from several processes at once (the store locks). */
  async ensureKey(): Promise<void> {
    await this.store.ensureSigningKey(newKey);
    await this.reload();
  }

  /** Makes a new key the signer and retires the current one. Returns the new kid. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const result = await this.store.rotate(newKey);
    await this.reload();
    return result;
  }

  async reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const horizon = new Date(Date.now() - this.maxTokenTtlSeconds * 1000 - 60_000);
        const rows = await this.store.liveKeys(horizon);
        const next = new Map<string, LoadedKey>();
        let active: LoadedKey | undefined;
        for (const row of rows) {
          const loaded: LoadedKey = {
            kid: row.kid,
            publicJwk: row.publicJwk,
            publicKey: (await importJWK(row.publicJwk, row.alg)) as CryptoKey,
            privateKey: row.retiredAt ? undefined : ((await importJWK(row.privateJwk, row.alg)) as CryptoKey),
            retiredAt: row.retiredAt,
          };
          next.set(row.kid, loaded);
          if (!active && !row.retiredAt) active = loaded;
        }
        this.keys = next;
        this.active = active;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt > this.refreshMs) await this.reload();
  }

  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    await this.fresh();
    if (!this.active?.privateKey) await this.ensureKey();
    const active = this.active;
    if (!active?.privateKey) throw new Error('no active signing key');
    return { kid: active.kid, key: active.privateKey };
  }

  /** Public key for a kid; an unknown kid triggers one reload, since another replica may have rotated. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    await this.fresh();
    let key = this.keys.get(kid);
    if (!key && Date.now() - this.loadedAt > 1000) {
      await this.reload();
      key = this.keys.get(kid);
    }
    return key?.publicKey;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.fresh();
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }
}
