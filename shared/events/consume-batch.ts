import { CompiledQuery } from 'kysely';
import { prepareStatement } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { BatchItem, BatchKeys, ConsumptionDependencies, EventContext, FunctionServices } from './event-consumer.js';

export type BatchHandler = (ctx: EventContext, items: ReadonlyArray<BatchItem<unknown>>) => Promise<void>;
/** A batch handler that records the batch's keys in its own first statement and answers which events were new. */
export type KeyRecordingBatchHandler = (ctx: EventContext, items: ReadonlyArray<BatchItem<unknown>>, keys: BatchKeys) => Promise<ReadonlySet<string>>;
export type BatchHandling = { kind: 'plain'; handle: BatchHandler } | { kind: 'recording-keys'; handle: KeyRecordingBatchHandler };

/** How a batch's events are told apart: the key a key-recording handler answers for each new event. */
export function eventKey(source: string, id: string): string {
  return `${source}\u0000${id}`;
}

interface Pending {
  item: BatchItem<unknown>;
  key: string;
  resolve(outcome: 'handled' | 'duplicate'): void;
  reject(err: unknown): void;
}

/** More than this in one transaction holds row locks longer than the commit it saves is worth. */
const MAX_BATCH = 200;
/** Batches being written at once: while one waits on the store, the next is read and locked on another connection. */
const IN_FLIGHT = 2;

/**
 * A batch's keys in one fixed statement (the list is one JSON parameter), so PostgreSQL plans it once per connection
 * whatever the batch's size; inserted in the order given (sorted by the caller).
 */
function recordKeys(consumer: string, keys: string): string {
  return `insert into processed_events (consumer, source, event_id, type)
select ${consumer}::text, k.source, k.event_id, k.type
from jsonb_array_elements(${keys}::jsonb) with ordinality as e(row, n)
cross join lateral jsonb_to_record(e.row) as k(source text, event_id text, type text)
order by e.n
on conflict (consumer, source, event_id) do nothing
returning source, event_id`;
}
const RECORD_KEYS = recordKeys('$1', '$2');
prepareStatement(RECORD_KEYS);

/**
 * The key recording as a CTE named recorded_keys (columns source, event_id: the new events), for a key-recording
 * handler's first statement; consumer and keys are that statement's placeholders for BatchKeys' two values.
 * PostgreSQL runs a data-modifying CTE once and to completion, so the keys are recorded before the statement ends
 * whatever else it reads.
 */
export function recordedKeysCte(consumer: string, keys: string): string {
  return `recorded_keys as (${recordKeys(consumer, keys)})`;
}

/** The keys recorded alone (a key-recording handler with nothing else to do); the new events' keys. */
export async function recordBatchKeys(ctx: EventContext, keys: BatchKeys): Promise<Set<string>> {
  const { rows } = await ctx.tx.executeQuery<{ source: string; event_id: string }>(CompiledQuery.raw(RECORD_KEYS, [keys.consumer, keys.json]));
  return new Set(rows.map((r) => eventKey(r.source, r.event_id)));
}

/**
 * Group commit for one batch handler: events that arrive while a batch is being written wait and go together in the
 * next transaction, which records every event's (source, id) beside the effect, as one event alone would. Each
 * delivery is answered only after its batch committed. A batch that fails is retried one event at a time, so one bad
 * event fails only its own delivery. At most two batches are written at once: they record their keys and lock their
 * rows each in one order, so two overlapping batches wait for each other but never deadlock.
 */
export class ConsumerBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly functionName: string,
    private readonly handling: BatchHandling,
  ) {}

  submit(platform: ConsumptionDependencies & FunctionServices, item: BatchItem<unknown>): Promise<'handled' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, key: eventKey(item.event.source, item.event.id), resolve, reject });
      if (this.inFlight < IN_FLIGHT) void this.drain(platform);
    });
  }

  private async drain(platform: ConsumptionDependencies & FunctionServices): Promise<void> {
    this.inFlight += 1;
    const log = platform.logger.child({ function: this.functionName, batch: true });
    try {
      while (this.queue.length > 0) {
        // Let the deliveries already on their way (callbacks queued this turn, senders answered by the last batch)
        // join: without this turn, batches alternate between one event and the rest.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.take();
        if (batch.length === 0) break;
        try {
          const outcomes = await this.write(platform, log, batch);
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else for (const p of batch) await this.write(platform, log, [p]).then(([o]) => p.resolve(o!), p.reject);
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The next batch in arrival order; a second delivery of an event already in it waits for the next batch (and is then a duplicate). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < MAX_BATCH && !keys.has(p.key)) {
        keys.add(p.key);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async write(platform: ConsumptionDependencies & FunctionServices, log: Logger, batch: Pending[]): Promise<Array<'handled' | 'duplicate'>> {
    // Work a handler wants done once its effect committed (not if the batch rolls back), off the deliveries' path.
    const afterwards: Array<() => Promise<void>> = [];
    const outcomes = await platform.store.db.transaction().execute(async (tx) => {
      // Keys in one order, so two processes recording overlapping batches cannot wait on each other.
      const keys = batch
        .map((p) => ({ source: p.item.event.source, event_id: p.item.event.id, type: p.item.event.type }))
        .sort((a, b) => (a.source === b.source ? (a.event_id < b.event_id ? -1 : 1) : a.source < b.source ? -1 : 1));
      const ctx: EventContext = Object.assign({ platform, log, tx }, { afterCommit: (work: () => Promise<void>) => void afterwards.push(work) });
      const batchKeys: BatchKeys = { consumer: this.functionName, json: JSON.stringify(keys) };
      let fresh: ReadonlySet<string>;
      if (this.handling.kind === 'recording-keys')
        fresh = await this.handling.handle(
          ctx,
          batch.map((p) => p.item),
          batchKeys,
        );
      else {
        fresh = await recordBatchKeys(ctx, batchKeys);
        const items = batch.filter((p) => fresh.has(p.key)).map((p) => p.item);
        if (items.length > 0) await this.handling.handle(ctx, items);
      }
      return batch.map((p) => (fresh.has(p.key) ? 'handled' : 'duplicate'));
    });
    for (const work of afterwards) setImmediate(() => void work().catch((err: unknown) => log.error({ err }, 'work after a batch of events failed')));
    return outcomes;
  }
}
