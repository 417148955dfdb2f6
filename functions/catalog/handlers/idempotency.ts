import { BadRequestError } from '../../../shared/errors/index.js';
import type { IdempotencyDeclaration } from '../../../shared/http/index.js';

/** Advertised in /v1/config; keys are kept a day, well past it, and then swept (idempotencyKeySweep in index.ts). */
export const IDEMPOTENCY_KEY_LIFETIME = 'PT30M';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The Iceberg REST spec's Idempotency-Key: a UUID, one namespace for the whole catalog, refusals (deterministic 4xx)
 * kept and replayed like successes. `operation` names the change and what it is done to.
 */
export function catalogIdempotency<I>(operation: (input: I) => string): IdempotencyDeclaration<I> {
  return {
    scope: () => 'catalog',
    operation,
    key: { pattern: UUID, message: (key) => `Idempotency-Key must be a UUID (UUIDv7 recommended), got ${JSON.stringify(key)}` },
    reused: (key, earlier) => new BadRequestError(`Idempotency-Key ${key} was already used for another operation (${earlier})`),
    keepsRefusals: true,
  };
}
