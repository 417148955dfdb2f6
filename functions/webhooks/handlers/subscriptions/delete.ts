import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { subscriptionStore } from '../../store/subscription-store.js';
import { requireSubscription } from './require.js';

/** Deletes a subscription and its delivery log. */
export const deleteSubscription: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const store = subscriptionStore(ctx.tx);
  await requireSubscription(store, ctx.params.id);
  await store.delete(ctx.params.id);
  return noContent();
};
