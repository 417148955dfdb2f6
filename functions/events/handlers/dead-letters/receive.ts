import { parseCloudEvent } from '../../../../shared/events/index.js';
import { IngestAuthentication, json, type Handler } from '../../../../shared/http/index.js';
import type { Platform } from '../../../../shared/platform/index.js';
import { deliveryStore } from '../../store/delivery-store.js';
import { deadLetterOf } from './dead-letter-of.js';

/** A PingSource tick is not worth keeping: the next one, a minute later, does the same work. */
const PING = 'dev.knative.sources.ping';

/** One per process: it caches the cluster's signing keys. */
const senders = new WeakMap<Platform, IngestAuthentication>();

/**
 * The Triggers' deadLetterSink: a delivery the Broker gave up on becomes a dead letter of the event at that
 * destination (once, however often the Broker sends it), listed and redriven as the outbox's are. Admitted as the
 * Broker's deliveries to this function are: the failed Trigger's sender identity, for this Service's audience.
 */
export const receiveDeadLetter: Handler = async (ctx) => {
  const platform = ctx.platform;
  let ingest = senders.get(platform);
  if (!ingest) senders.set(platform, (ingest = new IngestAuthentication(platform.config, platform)));
  await ingest.admit(ctx, 'events');
  const event = parseCloudEvent(ctx.headers, ctx.body as unknown as Buffer);
  const letter = deadLetterOf(event);
  if (letter.type === PING) return json(200, { id: event.id, source: event.source, outcome: 'ignored' });
  return ctx.transact.oneStatement(async (db) => {
    const outcome = await deliveryStore(db).record(letter);
    if (outcome === 'recorded')
      ctx.log.warn({ eventId: letter.id, type: letter.type, destination: letter.destination, error: letter.error }, 'event dead-lettered by the Broker');
    return json(200, { id: event.id, source: event.source, outcome });
  });
};
