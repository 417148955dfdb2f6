import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../auth/index.js';
import type { Executor, Tx } from '../db/index.js';
import { UnauthenticatedError } from '../errors/index.js';
import type { FunctionServices } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { Transact } from './idempotency.js';
import type { OperationContext } from './operation.js';

type AnyOperationContext = OperationContext<Record<string, string>, Record<string, unknown>, unknown>;

const noTransaction: Transact = Object.assign(
  () => {
    throw new Error('this route opens no transaction');
  },
  {
    oneStatement: () => {
      throw new Error('this route opens no transaction');
    },
  },
);

/**
 * Everything one request carries through the pipeline, as one object: the request's context, the operation's input
 * to its checks (OperationInput), and the handler's context (OperationContext) are this same object. It is a class,
 * its methods on the prototype and every field set in the constructor, because it is made on every request: a
 * literal with getters and closures, or a second object over the first, cost a few microseconds and ~1 KB of garbage
 * per request each (measured on loadTable and GET /api/v1/me). Methods are called on it (`ctx.once(...)`), not
 * taken off it.
 */
export class RequestScope implements AnyOperationContext {
  auditResource: string | undefined = undefined;
  auditDetail: string | undefined = undefined;
  /** Set by the outbox through markEventsPublished(): the dispatcher is nudged after the answer. */
  eventsPublished = false;
  /** The route's operation, named in the message when a handler asks for a transaction it did not declare. */
  operationId = '';
  db: Executor;
  transact: Transact = noTransaction;
  /** The transaction the pipeline opened for the handler (a route declared `mutates: true`). */
  openTransaction: Tx | undefined = undefined;
  private afterwards: Array<() => Promise<void> | void> | undefined = undefined;
  private readings: Map<string, Promise<unknown>> | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly platform: FunctionServices,
    readonly log: Logger,
    readonly headers: IncomingHttpHeaders,
    readonly params: Record<string, string>,
    readonly query: Record<string, unknown>,
    readonly body: unknown,
    readonly ip: string | undefined,
    readonly principal: Principal | undefined,
    db: Executor,
  ) {
    this.db = db;
  }

  requirePrincipal(): Principal {
    if (!this.principal) throw new UnauthenticatedError('this route requires a bearer token', undefined);
    return this.principal;
  }

  markEventsPublished(): void {
    this.eventsPublished = true;
  }

  get tx(): Tx {
    if (!this.openTransaction) throw new Error(`${this.operationId} opened no transaction: declare mutates: true, or use ctx.transact`);
    return this.openTransaction;
  }

  afterCommit(work: () => Promise<void> | void): void {
    (this.afterwards ??= []).push(work);
  }

  /** The work put off until the commit, in the order it was asked for. */
  workAfterCommit(): ReadonlyArray<() => Promise<void> | void> {
    return this.afterwards ?? [];
  }

  once<T>(name: string, load: () => Promise<T>): Promise<T> {
    const readings = (this.readings ??= new Map());
    let reading = readings.get(name) as Promise<T> | undefined;
    if (!reading) {
      reading = load();
      readings.set(name, reading);
    }
    return reading;
  }
}
