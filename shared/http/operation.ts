import type { Static, TSchema } from '@sinclair/typebox';
import type { Principal } from '../auth/index.js';
import type { Executor, Tx } from '../db/index.js';
import type { FunctionServices } from '../events/index.js';
import type { Action, Resource } from '../policy/index.js';
import type { IdempotencyDeclaration, Transact } from './idempotency.js';
import type { Reply, RequestContext, RouteDefinition } from './route.js';

type StaticOr<S, Fallback> = S extends TSchema ? Static<S> : Fallback;

/** What a route's authorization and idempotency are computed from: the validated request and its caller. */
export interface OperationInput<P = Record<string, string>, Q = Record<string, unknown>, B = undefined> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The caller; undefined only on a public route. */
  readonly principal: Principal | undefined;
  /**
   * What this request read once, by name: the checks look an object up (a lakehouse, to decide on its owner) and
   * the handler acts on the same reading (`ctx.once` shares it). Lives as long as the request.
   */
  once<T>(name: string, load: () => Promise<T>): Promise<T>;
}

/** One authorization check: the caller may do `action` to `resource`. */
export interface Check {
  readonly action: Action;
  readonly resource: Resource;
  /** Attributes of the request the control policies may look at (a token's expiresInDays). */
  readonly request?: Record<string, unknown>;
  /** Said after the authorizer's reason when it refuses (what the caller lacks besides the rule: a delegation). */
  readonly refusal?: string;
}

/**
 * Who may call a route, declared with it; the pipeline checks it before the handler runs and nowhere else decides it.
 * - `public`: no credential is asked; the string says why (a health probe, the token endpoint, a delivery that
 *   carries its own credential, which the handler verifies).
 * - `anyCaller`: any authenticated caller, no rule consulted; the string says why (who am I).
 * - `action` + `resource`: one check. `resource` may look the object up (what a run belongs to) with the services.
 * - `checks`: several (a rename needs the source and the destination).
 */
export type Authorization<I> =
  | { readonly public: string }
  | { readonly anyCaller: string }
  | {
      readonly action: Action;
      readonly resource: (input: I, services: FunctionServices) => Resource | Promise<Resource>;
      readonly request?: (input: I) => Record<string, unknown>;
    }
  | { readonly checks: (input: I, services: FunctionServices) => readonly Check[] | Promise<readonly Check[]> };

/**
 * What a handler gets: the request context, and the database its change goes into. On a route that mutates in one
 * transaction (the default for methods other than GET and HEAD) `db` is that transaction, opened by the pipeline with
 * the request's idempotency key and committed with the handler's outbox rows; `afterCommit` work runs once it
 * committed. A route that mutates 'in-steps' does slow work first and opens its transaction(s) with `transact`.
 */
export interface OperationContext<P = Record<string, string>, Q = Record<string, unknown>, B = undefined> extends RequestContext<P, Q, B> {
  readonly db: Executor;
  /** The route's transaction (a route that mutates in one transaction); outbox rows are published in it. */
  readonly tx: Tx;
  readonly transact: Transact;
  /** Runs after the request's transaction commits (not if it rolls back), before the answer leaves. */
  afterCommit(work: () => Promise<void> | void): void;
  /** The request's readings shared with its checks (OperationInput.once). */
  once<T>(name: string, load: () => Promise<T>): Promise<T>;
}

/** The schemas of an operation, for typing its handler: Handler<{ params: typeof IdParams; body: typeof Body }>. */
export interface OperationSchemas {
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
}

export type Handler<S extends OperationSchemas = OperationSchemas> = (
  ctx: OperationContext<StaticOr<S['params'], Record<string, string>>, StaticOr<S['query'], Record<string, unknown>>, StaticOr<S['body'], undefined>>,
) => Promise<Reply>;

export type InputOf<PS, QS, BS> = OperationInput<StaticOr<PS, Record<string, string>>, StaticOr<QS, Record<string, unknown>>, StaticOr<BS, undefined>>;

/**
 * A route as an operation: what it is (method, path, schemas, responses), who may call it (`authorization`),
 * whether and how it changes state (`mutates`, `idempotency`), and the handler that does it. Route files hold these
 * declarations and nothing else; handlers live in handlers/<noun>/<verb>.ts.
 */
export interface OperationDefinition<PS extends TSchema | undefined, QS extends TSchema | undefined, BS extends TSchema | undefined> extends Omit<
  RouteDefinition<PS, QS, BS>,
  'handler' | 'auth' | 'readOnly'
> {
  readonly authorization: Authorization<InputOf<PS, QS, BS>>;
  /**
   * true: the pipeline runs the handler in one transaction. 'in-steps': the handler opens its transaction(s) with
   * ctx.transact after slow work (files, a cluster). false: it changes nothing (a POST that decides or signs).
   * Default: true for every method but GET and HEAD.
   */
  readonly mutates?: boolean | 'in-steps';
  /** How a request with an Idempotency-Key header happens once (shared/http/idempotency.ts); none by default. */
  readonly idempotency?: IdempotencyDeclaration<InputOf<PS, QS, BS>>;
  /** The audit trail's resource, when it is not the authorization's resource (a handler may still set one). */
  readonly auditResource?: (input: InputOf<PS, QS, BS>) => string;
  /**
   * Detail the audit trail keeps from before authorization on, so a refused request keeps it too (which fields a
   * refused update named) instead of the refusal's message; a handler may still change it.
   */
  readonly auditDetail?: (input: InputOf<PS, QS, BS>) => string;
  readonly handler: (
    ctx: OperationContext<StaticOr<PS, Record<string, string>>, StaticOr<QS, Record<string, unknown>>, StaticOr<BS, undefined>>,
  ) => Promise<Reply>;
}

/** What the pipeline reads of an operation (the route's declaration as mounted). */
export interface DeclaredOperation {
  readonly authorization: Authorization<OperationInput<unknown, unknown, unknown>>;
  readonly mutates: boolean | 'in-steps';
  readonly idempotency: IdempotencyDeclaration<OperationInput<unknown, unknown, unknown>> | undefined;
  readonly auditResource: ((input: OperationInput<unknown, unknown, unknown>) => string) | undefined;
  readonly auditDetail: ((input: OperationInput<unknown, unknown, unknown>) => string) | undefined;
}

const SAFE = new Set(['GET', 'HEAD']);

/** Declares a route as an operation (see OperationDefinition); its input types are inferred from its schemas. */
export function operation<PS extends TSchema | undefined = undefined, QS extends TSchema | undefined = undefined, BS extends TSchema | undefined = undefined>(
  definition: OperationDefinition<PS, QS, BS>,
): RouteDefinition {
  const { authorization, mutates, idempotency, auditResource, auditDetail, handler, ...rest } = definition;
  const declared: DeclaredOperation = {
    authorization: authorization as DeclaredOperation['authorization'],
    mutates: mutates ?? !SAFE.has(definition.method),
    idempotency: idempotency as DeclaredOperation['idempotency'],
    auditResource: auditResource as DeclaredOperation['auditResource'],
    auditDetail: auditDetail as DeclaredOperation['auditDetail'],
  };
  return {
    ...rest,
    auth: 'public' in authorization ? 'public' : 'required',
    readOnly: declared.mutates === false && !SAFE.has(definition.method),
    operation: declared,
    handler: handler as unknown as RouteDefinition['handler'],
  } as RouteDefinition;
}
