import type { CloudEventV1 } from 'cloudevents';
import { NotFoundError } from '../errors/index.js';
import { compileValidator, type Validator } from '../schema/index.js';
import type { ConsumptionDependencies, EventConsumer, FunctionServices, StoreEventConsumer } from './event-consumer.js';
import { ConsumerBatcher, type BatchHandling } from './consume-batch.js';

export type ConsumeOutcome = 'handled' | 'duplicate';

/**
 * Handles incoming CloudEvents for one function idempotently: for an effect in the store, (source, id) is recorded in
 * the same transaction as the effect, so a redelivered event changes nothing and a failed one leaves no trace and can
 * be retried; an effect on this process alone is idempotent by itself and applied on every delivery.
 */
export class EventConsumerSet {
  private readonly byType = new Map<string, { consumer: EventConsumer; validate: Validator<unknown> }>();
  /** One batcher per batch handler: the consumers of several types that share a handler share its batches. */
  private readonly batchers = new Map<unknown, ConsumerBatcher>();

  constructor(
    private readonly functionName: string,
    consumers: readonly EventConsumer[],
  ) {
    for (const consumer of consumers) {
      this.byType.set(consumer.type, { consumer, validate: compileValidator(consumer.schema, 'event') });
      const handling = consumer.scope === 'process' ? undefined : batchHandlingOf(consumer);
      if (handling && !this.batchers.has(handling.handle)) this.batchers.set(handling.handle, new ConsumerBatcher(functionName, handling));
    }
  }

  get types(): string[] {
    return [...this.byType.keys()];
  }

  /**
   * Runs the consumers of the event's type, and the function's consumer of every type ("*") if it has one: each
   * effect on this process, then the one effect in the store (the type's own, else the "*" one).
   */
  async consume(platform: ConsumptionDependencies & FunctionServices, event: CloudEventV1<unknown>): Promise<ConsumeOutcome> {
    const entries = [this.byType.get(event.type), this.byType.get('*')].filter((e): e is NonNullable<typeof e> => e !== undefined);
    if (entries.length === 0) throw new NotFoundError(`function ${this.functionName} does not consume events of type ${event.type}`);
    const parsed = entries.map((entry) => ({ consumer: entry.consumer, data: entry.validate.parse(event.data ?? {}) }));
    const log = platform.logger.child({ function: this.functionName, eventId: event.id, eventType: event.type, eventSource: event.source });
    try {
      for (const p of parsed) if (p.consumer.scope === 'process') await p.consumer.handle({ platform, log }, p.data, event);
      const stored = parsed.find((p) => p.consumer.scope !== 'process');
      let outcome: ConsumeOutcome = 'handled';
      if (stored && stored.consumer.scope !== 'process') {
        const consumer = stored.consumer;
        const afterwards: Array<() => Promise<void>> = [];
        const batcher = this.batchers.get(batchHandlingOf(consumer)?.handle);
        if (batcher) outcome = await batcher.submit(platform, { data: stored.data, event });
        else
          outcome = await platform.store.db.transaction().execute(async (tx) => {
            const inserted = await tx
              .insertInto('processed_events')
              .values({ consumer: this.functionName, source: event.source, event_id: event.id, type: event.type })
              .onConflict((oc) => oc.columns(['consumer', 'source', 'event_id']).doNothing())
              .returning('event_id')
              .executeTakeFirst();
            if (!inserted) return 'duplicate' as const;
            await consumer.handle({ platform, log, tx, afterCommit: (fn) => void afterwards.push(fn) }, stored.data, event);
            return 'handled' as const;
          });
        // Work that must see the effect committed (a workload to stop, a probe to start); off the delivery's path.
        for (const fn of afterwards) setImmediate(() => void fn().catch((err: unknown) => log.error({ err }, 'work after an event failed')));
      }
      platform.metrics.eventsConsumed.inc({ function: this.functionName, type: event.type, outcome });
      log.info({ outcome }, 'event consumed');
      return outcome;
    } catch (err) {
      platform.metrics.eventsConsumed.inc({ function: this.functionName, type: event.type, outcome: 'failed' });
      throw err;
    }
  }
}

/** A store consumer's batch handler, if it has one (the key-recording kind first). */
function batchHandlingOf(consumer: StoreEventConsumer): BatchHandling | undefined {
  if (consumer.handleBatchRecordingKeys)
    return { kind: 'recording-keys', handle: consumer.handleBatchRecordingKeys as Extract<BatchHandling, { kind: 'recording-keys' }>['handle'] };
  if (consumer.handleBatch) return { kind: 'plain', handle: consumer.handleBatch as Extract<BatchHandling, { kind: 'plain' }>['handle'] };
  return undefined;
}
