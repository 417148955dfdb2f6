import type { Static, TSchema } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import type { Db, Tx } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { PlatformMetrics } from '../metrics/index.js';

/**
 * What function code is handed as `ctx.platform` (consumers here, route handlers and workers in shared/http). The
 * kernel runs that code without looking inside the record, so it names it without importing it: shared/platform,
 * the composition root above every kernel module, declares it to be its Platform by declaration merging. The kernel
 * itself reads only the narrow dependencies each runner declares (ConsumptionDependencies below).
 */
export interface FunctionServices {}

/** What consuming events needs of the process: a database for the consumed-event keys, a log, a counter. */
export interface ConsumptionDependencies {
  readonly logger: Logger;
  readonly metrics: Pick<PlatformMetrics, 'eventsConsumed'>;
  readonly store: { readonly db: Db };
}

export interface EventContext {
  readonly platform: FunctionServices;
  readonly log: Logger;
  /** The transaction the consumed-event key is recorded in: the effect commits with it or not at all. */
  readonly tx: Tx;
  /** Runs after the transaction commits (not if it rolls back), off the delivery's path. */
  readonly afterCommit: (work: () => Promise<void>) => void;
}

/**
 * A consumer whose effect is in the store: it runs in a transaction that also records the event's (source, id) for
 * this function, so a redelivery changes nothing.
 */
export interface StoreEventConsumer<S extends TSchema = TSchema> {
  /** io.lakeplane.<domain>.<event>.v1, a foreign type such as dev.knative.sources.ping, or * for every type. */
  type: string;
  schema: S;
  scope?: 'store';
  handle(ctx: EventContext, data: Static<S>, event: CloudEventV1<unknown>): Promise<void>;
  /**
   * Takes events that arrive while an earlier batch is being written together, in one transaction (their keys
   * recorded with them), in arrival order. Consumers of several types that share this function share the batch.
   * Under load one commit serves many deliveries; a lone delivery is a batch of one, with no added wait.
   */
  handleBatch?: (ctx: EventContext, items: ReadonlyArray<BatchItem<Static<S>>>) => Promise<void>;
  /**
   * Instead of handleBatch, for the hottest consumers: a batch handler that records the batch's keys itself, in its
   * first statement (recordedKeysCte() of shared/events), so a batch costs one round trip fewer. It is given every
   * delivery of the batch, answers which were new (eventKey() of each), and only those may have an effect.
   */
  handleBatchRecordingKeys?: (ctx: EventContext, items: ReadonlyArray<BatchItem<Static<S>>>, keys: BatchKeys) => Promise<ReadonlySet<string>>;
}

export interface BatchItem<D> {
  data: D;
  event: CloudEventV1<unknown>;
}

/** A batch's keys, as the parameters of recordedKeysCte(): the consuming function and the keys (sorted) as JSON. */
export interface BatchKeys {
  readonly consumer: string;
  readonly json: string;
}

export interface ProcessEventContext {
  readonly platform: FunctionServices;
  readonly log: Logger;
}

/**
 * A consumer whose effect is on the receiving process only (a cache told to look at the store again). Every process
 * that receives the event must apply it, so nothing is recorded: the effect must be idempotent by itself.
 */
export interface ProcessEventConsumer<S extends TSchema = TSchema> {
  type: string;
  schema: S;
  scope: 'process';
  handle(ctx: ProcessEventContext, data: Static<S>, event: CloudEventV1<unknown>): Promise<void>;
}

export type EventConsumer = StoreEventConsumer | ProcessEventConsumer;

export function consumer<S extends TSchema>(c: StoreEventConsumer<S> | ProcessEventConsumer<S>): EventConsumer {
  return c as unknown as EventConsumer;
}
