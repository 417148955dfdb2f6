import type { CloudEventV1 } from 'cloudevents';
import { sql } from 'kysely';
import type { EventContext } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { retryDelayMs, sign, wants } from '../domain/signature.js';
import { allowedRanges, checkTarget, postPinned, TargetRefusedError } from '../targets/index.js';

/** Deliveries given up in a row after which a subscription is disabled. */
export const DISABLE_AFTER_FAILURES = 3;

/**
 * Every platform event (io.lakeplane.*) becomes a pending delivery for each enabled subscription that wants its type,
 * in the consumption's transaction: once per (subscription, event), however often the event arrives.
 */
export async function fanOut(ctx: EventContext, event: CloudEventV1<unknown>): Promise<void> {
  if (!event.type.startsWith('io.lakeplane.')) return; // pings, Kubernetes resource events: not for subscribers
  const subs = await ctx.tx.selectFrom('webhook_subscriptions').select(['id', 'event_types']).where('enabled', '=', true).execute();
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
    await ctx.tx
      .insertInto('webhook_deliveries')
      .values({ subscription_id: s.id, event_id: event.id, event_type: event.type, event: JSON.stringify(body), status: 'pending' })
      .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
      .execute();
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
        const batch = await platform.store.db.transaction().execute(async (tx) => {
          const rows = await tx
            .selectFrom('webhook_deliveries as d')
            .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
            .select(['d.id', 'd.event_id', 'd.event', 'd.attempts', 's.id as sub_id', 's.url', 's.secret'])
            .where('d.status', '=', 'pending')
            .where('s.enabled', '=', true)
            .where('d.next_attempt_at', '<=', now)
            .orderBy('d.id')
            .limit(50)
            .forUpdate('d')
            .skipLocked()
            .execute();
          if (rows.length > 0)
            await tx
              .updateTable('webhook_deliveries')
              .set({ next_attempt_at: sql`now() + interval '30 seconds'` })
              .where(
                'id',
                'in',
                rows.map((r) => r.id),
              )
              .execute();
          return rows;
        });
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
    if (!error) {
      await tx
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered', attempts, last_status: status ?? null, last_error: null, delivered_at: new Date() })
        .where('id', '=', deliveryId)
        .execute();
      await tx.updateTable('webhook_subscriptions').set({ consecutive_failures: 0 }).where('id', '=', subscriptionId).execute();
      return;
    }
    const { LAKEPLANE_WEBHOOK_MAX_ATTEMPTS: maxAttempts, LAKEPLANE_WEBHOOK_RETRY_BASE_MS: baseMs } = platform.config;
    const givenUp = refused || attempts >= maxAttempts;
    await tx
      .updateTable('webhook_deliveries')
      .set({
        status: givenUp ? 'failed' : 'pending',
        attempts,
        last_status: status ?? null,
        last_error: error,
        next_attempt_at: new Date(Date.now() + retryDelayMs(attempts, baseMs)),
      })
      .where('id', '=', deliveryId)
      .execute();
    if (!givenUp) return;
    const sub = await tx
      .updateTable('webhook_subscriptions')
      .set({ consecutive_failures: sql`consecutive_failures + 1` })
      .where('id', '=', subscriptionId)
      .returning(['consecutive_failures'])
      .executeTakeFirst();
    if (sub && sub.consecutive_failures >= DISABLE_AFTER_FAILURES) {
      await tx
        .updateTable('webhook_subscriptions')
        .set({
          enabled: false,
          disabled_reason: `disabled after ${sub.consecutive_failures} deliveries in a row failed ${maxAttempts} times each; the last: ${error}`,
          updated_at: new Date(),
        })
        .where('id', '=', subscriptionId)
        .execute();
    }
  });
}
