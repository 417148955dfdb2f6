import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { subscriptionStore } from '../../store/subscription-store.js';
import { requireSubscription } from './require.js';

export const readSubscription: Handler<{ params: typeof IdParams }> = async (ctx) =>
  json(200, await requireSubscription(subscriptionStore(ctx.db), ctx.params.id));
