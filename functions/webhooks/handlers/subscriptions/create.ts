import { json, type Handler } from '../../../../shared/http/index.js';
import { newWebhookSecret } from '../../domain/signature.js';
import type { CreateBody } from '../../schemas.js';
import { subscriptionStore } from '../../store/subscription-store.js';
import { requireReachableTarget } from './require.js';

/** Subscribes a URL; its secret is answered here, once. The URL's name is resolved first, with no transaction open. */
export const createSubscription: Handler<{ body: typeof CreateBody }> = async (ctx) => {
  await requireReachableTarget(ctx.platform.config, ctx.body.url);
  const p = ctx.requirePrincipal();
  const secret = newWebhookSecret();
  return ctx.transact.oneStatement(async (db) => {
    const created = await subscriptionStore(db).create({
      name: ctx.body.name,
      url: ctx.body.url,
      eventTypes: ctx.body.eventTypes,
      secret,
      createdBy: `${p.kind}:${p.name}`,
    });
    ctx.auditResource = `webhooks/${created.id}`;
    return json(201, { ...created, secret }, { location: `/api/v1/webhooks/${created.id}` });
  });
};
