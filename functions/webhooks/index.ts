import { Type } from '@sinclair/typebox';
import { consumer, defineFunction, periodic } from '../../shared/http/index.js';
import { deliverDue, fanOut } from './handlers/deliveries.js';
import { webhookRoutes } from './routes/webhook-routes.js';

/** Webhooks out: every platform event to the subscribed URLs, signed, retried, logged, and a failing subscription disabled. */
export const webhooks = defineFunction({
  name: 'webhooks',
  description:
    'Outbound webhooks: subscriptions, signed CloudEvent deliveries (Standard Webhooks) with retries, a delivery log, and disabling of failing subscriptions.',
  routes: webhookRoutes,
  consumes: [
    consumer({
      // Every event: platform events fan out to subscriptions (fanOut passes over the others).
      type: '*',
      schema: Type.Unknown(),
      handle: (ctx, _data, event) => fanOut(ctx, event),
    }),
  ],
  // The due retries.
  periodic: [periodic('webhook delivery', deliverDue, (c) => c.LAKEPLANE_WEBHOOK_POLL_MS)],
});
