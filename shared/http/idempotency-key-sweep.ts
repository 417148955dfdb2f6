import type { FunctionServices } from '../events/index.js';
import type { IdempotencyKeyStore } from './idempotency-key-store.js';
import { periodic, type PeriodicTask } from './periodic-worker.js';

/** How long a key is kept: a day, well past the lifetime the catalog advertises (PT30M). */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Embedded mode's sweep interval; in a cluster every PingSource tick sweeps. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** Forgets `owner`'s keys (scopes `owner` and `owner/...`) kept past their retention; returns how many went. */
export function sweepIdempotencyKeys(keys: Pick<IdempotencyKeyStore, 'deleteExpired'>, owner: string, now = Date.now()): Promise<number> {
  return keys.deleteExpired(owner, new Date(now - IDEMPOTENCY_KEY_RETENTION_MS));
}

/**
 * The periodic sweep of a function that writes Idempotency-Keys, over the scopes it owns (see
 * IdempotencyDeclaration.scope). Each function forgets its own keys, so a service deployed alone keeps its table
 * small; replicas of one service may sweep at once, which deletes each expired row once.
 */
export function idempotencyKeySweep(owner: string, keysOf: (services: FunctionServices) => Pick<IdempotencyKeyStore, 'deleteExpired'>): PeriodicTask {
  return periodic(
    `idempotency key sweep (${owner})`,
    (services) => sweepIdempotencyKeys(keysOf(services), owner),
    () => SWEEP_EVERY_MS,
  );
}
