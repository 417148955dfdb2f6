import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';

/** A delivery claimed for sending, with where it goes and the secret it is signed with. */
export interface DueDelivery {
  id: string;
  event_id: string;
  event: unknown;
  attempts: number;
  sub_id: string;
  url: string;
  secret: string;
}

/**
 * The deliveries of events to webhook subscriptions, as handlers/deliveries.ts makes them: pending rows added per
 * (subscription, event) once, claimed for sending with SKIP LOCKED, and each try recorded with what it does to its
 * subscription.
 */
export interface DeliveryStore {
  /** The enabled subscriptions and the event types each wants. */
  enabledSubscriptions(): Promise<Array<{ id: string; event_types: string[] }>>;
  /** A pending delivery, unless this subscription already has one of this event. */
  addPending(delivery: { subscriptionId: string; eventId: string; eventType: string; event: string }): Promise<void>;
  /**
   * Up to `limit` pending deliveries due at `now`, of enabled subscriptions, oldest first, that no other transaction
   * holds; their next attempt is pushed 30 seconds on, so no one else claims them while they are sent.
   */
  claimDue(now: Date, limit: number): Promise<DueDelivery[]>;
  /** The try succeeded: delivered, and the subscription's run of failures ends. */
  recordDelivered(deliveryId: string, subscriptionId: string, outcome: { attempts: number; status: number | null }): Promise<void>;
  /** The try failed: pending again from `nextAttemptAt`, or failed for good. */
  recordFailed(deliveryId: string, outcome: { givenUp: boolean; attempts: number; status: number | null; error: string; nextAttemptAt: Date }): Promise<void>;
  /** One more delivery given up in a row: how many now, or undefined when the subscription is gone. */
  countGivenUp(subscriptionId: string): Promise<number | undefined>;
  /** Disables the subscription, saying why. */
  disable(subscriptionId: string, reason: string): Promise<void>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function deliveryStore(db: Executor): DeliveryStore {
  return {
    enabledSubscriptions: () => db.selectFrom('webhook_subscriptions').select(['id', 'event_types']).where('enabled', '=', true).execute(),

    async addPending({ subscriptionId, eventId, eventType, event }) {
      await db
        .insertInto('webhook_deliveries')
        .values({ subscription_id: subscriptionId, event_id: eventId, event_type: eventType, event, status: 'pending' })
        .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
        .execute();
    },

    async claimDue(now, limit) {
      const rows = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .select(['d.id', 'd.event_id', 'd.event', 'd.attempts', 's.id as sub_id', 's.url', 's.secret'])
        .where('d.status', '=', 'pending')
        .where('s.enabled', '=', true)
        .where('d.next_attempt_at', '<=', now)
        .orderBy('d.id')
        .limit(limit)
        .forUpdate('d')
        .skipLocked()
        .execute();
      if (rows.length > 0)
        await db
          .updateTable('webhook_deliveries')
          .set({ next_attempt_at: sql`now() + interval '30 seconds'` })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      return rows;
    },

    async recordDelivered(deliveryId, subscriptionId, { attempts, status }) {
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered', attempts, last_status: status, last_error: null, delivered_at: new Date() })
        .where('id', '=', deliveryId)
        .execute();
      await db.updateTable('webhook_subscriptions').set({ consecutive_failures: 0 }).where('id', '=', subscriptionId).execute();
    },

    async recordFailed(deliveryId, { givenUp, attempts, status, error, nextAttemptAt }) {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: givenUp ? 'failed' : 'pending',
          attempts,
          last_status: status,
          last_error: error,
          next_attempt_at: nextAttemptAt,
        })
        .where('id', '=', deliveryId)
        .execute();
    },

    async countGivenUp(subscriptionId) {
      const sub = await db
        .updateTable('webhook_subscriptions')
        .set({ consecutive_failures: sql`consecutive_failures + 1` })
        .where('id', '=', subscriptionId)
        .returning(['consecutive_failures'])
        .executeTakeFirst();
      return sub?.consecutive_failures;
    },

    async disable(subscriptionId, reason) {
      await db
        .updateTable('webhook_subscriptions')
        .set({ enabled: false, disabled_reason: reason, updated_at: new Date() })
        .where('id', '=', subscriptionId)
        .execute();
    },
  };
}
