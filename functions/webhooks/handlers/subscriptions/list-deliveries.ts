import { json, type Handler } from '../../../../shared/http/index.js';
import type { DeliveriesQuery, IdParams } from '../../schemas.js';
import { subscriptionStore } from '../../store/subscription-store.js';
import { requireSubscription } from './require.js';

/** The delivery log of a subscription, newest first: every event, its tries and the last answer. */
export const listDeliveries: Handler<{ params: typeof IdParams; query: typeof DeliveriesQuery }> = async (ctx) => {
  const store = subscriptionStore(ctx.db);
  await requireSubscription(store, ctx.params.id);
  return json(200, { items: await store.deliveries(ctx.params.id, ctx.query) });
};
