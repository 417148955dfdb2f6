import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Config } from '../config/index.js';
import { TooManyRequestsError } from '../errors/index.js';
import { lockoutSeconds } from './grants.js';
import type { ThrottleStore } from './throttle-store.js';

/**
 * Brute force detection for the token endpoint, as Keycloak and OWASP's authentication guidance describe it. Failed
 * credentials are counted per key in the store (throttle-store.ts), so every replica on the database throttles alike:
 * - account: a user name from one client address. Its failures never block that user from another address, so an
 *   anonymous client cannot deny a user their login;
 * - address: every failure from one address, whatever the user name (password spraying);
 * - client: every failed authentication of one client_id (client secret guessing);
 * - global: failures per minute of the whole platform; above the limit failed answers are delayed, never refused.
 * A key that reaches its limit is blocked for LAKEPLANE_LOGIN_LOCKOUT_SECONDS, doubling with each further failure,
 * capped at an hour; its failures are forgotten LAKEPLANE_LOGIN_FAILURE_RESET_SECONDS after the last one. A blocked
 * key is refused before any credential is checked, the same way whether or not the user exists.
 */
export interface ThrottleKey {
  readonly scope: 'account' | 'address' | 'client';
  /** SHA-256 of the scope and its parts: a password typed into the user name field is not kept. */
  readonly id: string;
  /** What a refusal says, before "; try again in N s". */
  readonly refusal: string;
}

export type ThrottleConfig = Pick<
  Config,
  | 'LAKEPLANE_LOGIN_MAX_FAILURES'
  | 'LAKEPLANE_LOGIN_LOCKOUT_SECONDS'
  | 'LAKEPLANE_LOGIN_FAILURE_RESET_SECONDS'
  | 'LAKEPLANE_LOGIN_ADDRESS_MAX_FAILURES'
  | 'LAKEPLANE_CLIENT_MAX_FAILURES'
  | 'LAKEPLANE_LOGIN_GLOBAL_FAILURES_PER_MINUTE'
>;

const MAX_LOCK_SECONDS = 3600;
const MAX_DELAY_MS = 5000;
const FIRST_DELAY_MS = 250;
/** Expired rows swept per failure: enough to keep up with any rate of new keys, cheap on the expiry index. */
const SWEEP_BATCH = 100;

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** An IPv6 client commonly holds a whole /64; counting per address there would give it 2^64 budgets. */
export function addressBucket(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const bare = address.split('%')[0] as string;
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export const throttleKeys = {
  account(username: string, address: string | undefined): ThrottleKey {
    const name = username.toLowerCase();
    return { scope: 'account', id: hash('account', name, address ?? 'unknown'), refusal: `too many failed logins for ${name} from this address` };
  },
  address(address: string | undefined): ThrottleKey {
    return { scope: 'address', id: hash('address', addressBucket(address)), refusal: 'too many failed logins from this address' };
  },
  client(clientId: string): ThrottleKey {
    return { scope: 'client', id: hash('client', clientId), refusal: `too many failed authentications of client ${clientId}` };
  },
};

export class CredentialThrottle {
  constructor(
    private readonly store: ThrottleStore,
    private readonly config: ThrottleConfig,
  ) {}

  private limitOf(scope: ThrottleKey['scope']): number {
    if (scope === 'account') return this.config.LAKEPLANE_LOGIN_MAX_FAILURES;
    if (scope === 'address') return this.config.LAKEPLANE_LOGIN_ADDRESS_MAX_FAILURES;
    return this.config.LAKEPLANE_CLIENT_MAX_FAILURES;
  }

  /** Throws 429 with Retry-After (the longest wait) when any of the keys is blocked. */
  async refuseIfBlocked(keys: readonly ThrottleKey[]): Promise<void> {
    if (keys.length === 0) return;
    const blocked = await this.store.blocked(keys.map((k) => k.id));
    let longest: { key: ThrottleKey; wait: number } | undefined;
    for (const row of blocked) {
      const key = keys.find((k) => k.id === row.key);
      const wait = Math.max(1, Math.ceil(row.waitSeconds));
      if (key && (!longest || wait > longest.wait)) longest = { key, wait };
    }
    if (longest) throw new TooManyRequestsError(`${longest.key.refusal}; try again in ${longest.wait} s`, longest.wait);
  }

  /** Counts a failure on each key, blocks those at their limit, and returns how long to delay the failed answer. */
  async failed(keys: readonly ThrottleKey[]): Promise<number> {
    const reset = this.config.LAKEPLANE_LOGIN_FAILURE_RESET_SECONDS;
    await Promise.all(keys.map((key) => this.count(key, reset)));
    const minute = Math.floor(Date.now() / 60_000);
    const global = await this.store.increment(hash('global', String(minute)), 'global', 120);
    await this.store.sweepExpired(SWEEP_BATCH);
    const multiple = Math.floor(global / this.config.LAKEPLANE_LOGIN_GLOBAL_FAILURES_PER_MINUTE);
    return multiple < 1 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(multiple - 1, 10));
  }

  /** A correct credential forgets the failures of its user name from that address, or of its client_id. */
  async succeeded(keys: readonly ThrottleKey[]): Promise<void> {
    await this.store.forget(keys.filter((k) => k.scope !== 'address').map((k) => k.id));
  }

  private async count(key: ThrottleKey, resetSeconds: number): Promise<void> {
    const failures = await this.store.increment(key.id, key.scope, resetSeconds);
    const lock = lockoutSeconds(failures, this.limitOf(key.scope), this.config.LAKEPLANE_LOGIN_LOCKOUT_SECONDS, MAX_LOCK_SECONDS);
    if (lock > 0) await this.store.block(key.id, lock);
  }
}
