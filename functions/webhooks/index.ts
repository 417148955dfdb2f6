import { Type } from '@sinclair/typebox';
import { consumer, defineFunction, embeddedTicker } from '../../shared/http/index.js';
import { deliverDue, fanOut } from './handlers/deliveries.js';
import { webhookRoutes } from './routes/webhook-routes.js';

/** Webhooks out: every platform event to the subscribed URLs, signed, retried, logged, and a failing subscription disabled. */
export const webhooks = defineFunction({
  name: 'webhooks',
  description: 'Outbound webhooks: subscriptions, signed CloudEvent deliveries (Standard Webhooks) with retries, a delivery log, and disabling of failing subscriptions.',
  routes: webhookRoutes,
  consumes: [
    consumer({
      // Every event: platform events fan out to subscriptions; Knative's ping (cluster mode) sends the due retries.
      type: '*',
      schema: Type.Unknown(),
      handle: async (ctx, _data, event) => {
        if (event.type === 'dev.knative.sources.ping') {
          setImmediate(() => void deliverDue(ctx.platform).catch((err: unknown) => ctx.platform.logger.error({ err }, 'webhook delivery failed')));
          return;
        }
        await fanOut(ctx, event);
      },
    }),
  ],
  // Embedded mode has no PingSource: a timer does its work.
  workers: [embeddedTicker('webhook delivery', (c) => c.LAKEPLANE_WEBHOOK_POLL_MS, (platform) => deliverDue(platform))],
});
