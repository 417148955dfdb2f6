import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { withDatabaseErrors, type Executor } from '../../../shared/db/index.js';
import type { Delivery, Subscription } from '../schemas.js';

export type SubscriptionView = Static<typeof Subscription>;
export type DeliveryView = Static<typeof Delivery>;

/**
 * Webhook subscriptions and their delivery logs, as the webhooks routes read and change them (the deliveries
 * themselves are made by handlers/deliveries.ts, through delivery-store.ts). Names are unique: a clash is a ConflictError.
 */
export interface SubscriptionStore {
  find(id: string): Promise<SubscriptionView | undefined>;
  list(): Promise<SubscriptionView[]>;
  create(s: { name: string; url: string; eventTypes: string[]; secret: string; createdBy: string }): Promise<SubscriptionView>;
  /** The subscription after the change, or undefined when there is none. */
  update(id: string, change: { url?: string; eventTypes?: string[]; enabled?: boolean }): Promise<SubscriptionView | undefined>;
  delete(id: string): Promise<void>;
  /** Its delivery log, newest first. */
  deliveries(id: string, filter: { status?: 'pending' | 'delivered' | 'failed'; pageSize?: number }): Promise<DeliveryView[]>;
}

type Row = {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: Date;
  created_by: string | null;
};
const toSubscription = (r: Row): SubscriptionView => ({
  id: r.id,
  name: r.name,
  url: r.url,
  eventTypes: r.event_types,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  consecutiveFailures: r.consecutive_failures,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
});

/** The PostgreSQL store (PGlite runs the same SQL). */
export function subscriptionStore(db: Executor): SubscriptionStore {
  return {
    async find(id) {
      const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSubscription(row) : undefined;
    },
    async list() {
      return (await db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute()).map(toSubscription);
    },
    async create(s) {
      const row = await withDatabaseErrors(`webhook subscription "${s.name}"`, () =>
        db
          .insertInto('webhook_subscriptions')
          .values({ id: randomUUID(), name: s.name, url: s.url, event_types: s.eventTypes, secret: s.secret, created_by: s.createdBy })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toSubscription(row);
    },
    async update(id, change) {
      const row = await db
        .updateTable('webhook_subscriptions')
        .set({
          ...(change.url ? { url: change.url } : {}),
          ...(change.eventTypes ? { event_types: change.eventTypes } : {}),
          ...(change.enabled === true ? { enabled: true, disabled_reason: null, consecutive_failures: 0 } : {}),
          ...(change.enabled === false ? { enabled: false, disabled_reason: 'disabled by an admin' } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toSubscription(row) : undefined;
    },
    async delete(id) {
      await db.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
    },
    async deliveries(id, filter) {
      let q = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', id);
      if (filter.status) q = q.where('status', '=', filter.status);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(filter.pageSize ?? 100)
        .execute();
      return rows.map((r) => ({
        eventId: r.event_id,
        eventType: r.event_type,
        status: r.status,
        attempts: r.attempts,
        lastStatus: r.last_status,
        lastError: r.last_error,
        createdAt: r.created_at.toISOString(),
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
      }));
    },
  };
}
