import type { CloudEventV1 } from 'cloudevents';
import type { EventContext } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { retryDelayMs, sign, wants } from '../domain/signature.js';
import { deliveryStore } from '../store/delivery-store.js';
import { allowedRanges, checkTarget, postPinned, TargetRefusedError } from '../targets/index.js';

/** Deliveries given up in a row after which a subscription is disabled. */
export const DISABLE_AFTER_FAILURES = 3;

/**
 * Every platform event (io.lakeplane.*) becomes a pending delivery for each enabled subscription that wants its type,
 * in the consumption's transaction: once per (subscription, event), however often the event arrives.
 */
export async function fanOut(ctx: EventContext, event: CloudEventV1<unknown>): Promise<void> {
  if (!event.type.startsWith('io.lakeplane.')) return; // pings, Kubernetes resource events: not for subscribers
  const store = deliveryStore(ctx.tx);
  const subs = await store.enabledSubscriptions();
  const body = {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    ...(event.subject ? { subject: event.subject } : {}),
    time: event.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    data: event.data ?? null,
  };
  for (const s of subs.filter((x) => wants(x.event_types, event.type))) {
    await store.addPending({ subscriptionId: s.id, eventId: event.id, eventType: event.type, event: JSON.stringify(body) });
  }
  // Sent once the consumption (and the deliveries) committed: before that, deliverDue could not claim them.
  if (subs.length > 0) ctx.afterCommit(async () => void (await deliverDue(ctx.platform)));
}

let running: Promise<number> | undefined;

/**
 * Sends the due deliveries: a structured CloudEvent POSTed to the subscription's URL (only to an address checked
 * just before, see ../targets), signed the Standard Webhooks
 * way (webhook-id: the event id, webhook-timestamp, webhook-signature). 2xx delivers; anything else is retried with
 * backoff, up to LAKEPLANE_WEBHOOK_MAX_ATTEMPTS tries; a subscription whose deliveries keep failing is disabled, and says why. Claims rows
 * with SKIP LOCKED by pushing their next attempt past the request's timeout, so replicas never send one twice at once.
 */
export function deliverDue(platform: Platform, now = new Date()): Promise<number> {
  running ??= (async () => {
    let sent = 0;
    try {
      for (;;) {
        const batch = await platform.store.db.transaction().execute((tx) => deliveryStore(tx).claimDue(now, 50));
        if (batch.length === 0) return sent;
        await Promise.all(
          batch.map(async (d) => {
            const body = JSON.stringify(d.event);
            const timestamp = Math.floor(Date.now() / 1000);
            let status: number | undefined;
            let error: string | undefined;
            let refused = false;
            try {
              // Resolved and checked again at each delivery: the name's addresses, or the allow-list, may have changed.
              const target = await checkTarget(d.url, allowedRanges(platform.config));
              const headers = {
                'content-type': 'application/cloudevents+json; charset=utf-8',
                'webhook-id': d.event_id,
                'webhook-timestamp': String(timestamp),
                'webhook-signature': sign(d.secret, d.event_id, timestamp, body),
              };
              status = await postPinned(target, headers, body, 10_000);
              if (status >= 300 && status < 400) error = `HTTP ${status} (redirects are not followed)`;
              else if (status < 200 || status >= 300) error = `HTTP ${status}`;
            } catch (err) {
              refused = err instanceof TargetRefusedError && !err.transient;
              error = err instanceof TargetRefusedError ? `refused target: ${err.message}` : (err as Error).message;
            }
            await record(platform, d.id, d.sub_id, d.attempts + 1, status, error, refused);
            if (!error) sent += 1;
          }),
        );
      }
    } finally {
      running = undefined;
    }
  })();
  return running;
}

/** Records a try. A refused target gives the delivery up at once: retrying would only knock on the same door. */
async function record(
  platform: Platform,
  deliveryId: string,
  subscriptionId: string,
  attempts: number,
  status: number | undefined,
  error: string | undefined,
  refused: boolean,
): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const store = deliveryStore(tx);
    if (!error) {
      await store.recordDelivered(deliveryId, subscriptionId, { attempts, status: status ?? null });
      return;
    }
    const { LAKEPLANE_WEBHOOK_MAX_ATTEMPTS: maxAttempts, LAKEPLANE_WEBHOOK_RETRY_BASE_MS: baseMs } = platform.config;
    const givenUp = refused || attempts >= maxAttempts;
    await store.recordFailed(deliveryId, {
      givenUp,
      attempts,
      status: status ?? null,
      error,
      nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts, baseMs)),
    });
    if (!givenUp) return;
    const failures = await store.countGivenUp(subscriptionId);
    if (failures !== undefined && failures >= DISABLE_AFTER_FAILURES) {
      await store.disable(subscriptionId, `disabled after ${failures} deliveries in a row failed ${maxAttempts} times each; the last: ${error}`);
    }
  });
}
