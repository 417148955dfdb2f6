import { BadRequestError } from '../../../shared/errors/index.js';
import { idempotentRequest, runOnce, type IdempotencyDeclaration, type Transact } from '../../../shared/http/index.js';
import type { Reply, RequestContext } from '../../../shared/http/index.js';

export type { Transact };

/** Advertised in /v1/config; keys are kept a day, well past it, and then swept. */
export const IDEMPOTENCY_KEY_LIFETIME = 'PT30M';
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

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

type Ctx = RequestContext<unknown, unknown, unknown>;

/** Runs a catalog mutation in one transaction and, when the request carries an Idempotency-Key, makes it happen once. */
export async function mutate(ctx: Ctx, operation: string, run: Parameters<Transact>[0]): Promise<Reply> {
  return mutateInSteps(ctx, operation, (transact) => transact(run));
}

/**
 * mutate() for a mutation that does its slow work (writing files) before its transaction: `run` does that work with
 * no transaction open, then calls `transact` for the short transaction the change, its outbox rows and the key
 * commit in (shared/http/idempotency.ts).
 */
export async function mutateInSteps(ctx: Ctx, operation: string, run: (transact: Transact) => Promise<Reply>): Promise<Reply> {
  const declaration = catalogIdempotency<undefined>(() => operation);
  const principal = ctx.principal ? `${ctx.principal.kind}:${ctx.principal.id}` : 'anonymous';
  const request = idempotentRequest(declaration, ctx.headers['idempotency-key'], undefined, principal);
  return runOnce(ctx.platform.store.db, declaration, request, 'iceberg', run, { input: undefined, context: ctx });
}
