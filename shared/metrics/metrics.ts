import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestDurations } from './request-durations.js';

/** Seconds: from half a millisecond (a cached read) to ten seconds (a long commit or a streamed export). */
export const REQUEST_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics every function serves on GET /metrics. One registry per process. */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly requestDuration: RequestDurations;
  readonly eventsPublished: Counter<'type'>;
  readonly eventsDelivered: Counter<'type'>;
  readonly eventsFailed: Counter<'type'>;
  readonly eventsDeadLettered: Counter<'type'>;
  readonly eventsConsumed: Counter<'function' | 'type' | 'outcome'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lakeplane_' });
    this.requestDuration = new RequestDurations(REQUEST_DURATION_BUCKETS, this.registry);
    this.eventsPublished = new Counter({
      name: 'lakeplane_events_published_total',
      help: 'Events written to the outbox.',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.eventsDelivered = new Counter({
      name: 'lakeplane_events_delivered_total',
      help: 'Events delivered to their sink.',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.eventsFailed = new Counter({
      name: 'lakeplane_events_failed_total',
      help: 'Failed delivery attempts (each retry counts).',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.eventsDeadLettered = new Counter({
      name: 'lakeplane_events_dead_lettered_total',
      help: 'Events moved to the dead-letter table after the last attempt failed.',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.eventsConsumed = new Counter({
      name: 'lakeplane_events_consumed_total',
      help: 'Incoming CloudEvents by outcome (handled, duplicate, rejected, failed).',
      labelNames: ['function', 'type', 'outcome'],
      registers: [this.registry],
    });
  }
}
