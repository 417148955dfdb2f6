import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams, UpdateBody } from '../../schemas.js';
import { subscriptionStore } from '../../store/subscription-store.js';
import { requireReachableTarget, requireSubscription } from './require.js';

/** Changes the URL (resolved first, with no transaction open) or the event types, or enables a disabled subscription. */
export const updateSubscription: Handler<{ params: typeof IdParams; body: typeof UpdateBody }> = async (ctx) => {
  const { id } = ctx.params;
  await requireSubscription(subscriptionStore(ctx.db), id);
  if (ctx.body.url) await requireReachableTarget(ctx.platform.config, ctx.body.url);
  return ctx.transact.oneStatement(async (db) => {
    const updated = await subscriptionStore(db).update(id, ctx.body);
    if (!updated) throw new NotFoundError(`webhook subscription ${id} does not exist`);
    return json(200, updated);
  });
};
