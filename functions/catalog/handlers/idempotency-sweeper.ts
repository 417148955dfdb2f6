import type { Worker } from '../../../shared/http/index.js';
import { IDEMPOTENCY_KEY_RETENTION_MS } from './idempotency.js';

const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** Forgets idempotency keys (every route's, shared/http/idempotency.ts) past their retention, every ten minutes while the function runs. */
export const sweepIdempotencyKeys: Worker = (platform) => {
  const sweep = () =>
    platform.store.db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', new Date(Date.now() - IDEMPOTENCY_KEY_RETENTION_MS))
      .execute()
      .catch((err: unknown) => platform.logger.warn({ err }, 'idempotency key sweep failed'));
  const timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  timer.unref();
  return async () => clearInterval(timer);
};
