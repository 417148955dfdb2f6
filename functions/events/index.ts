import { Type } from '@sinclair/typebox';
import { consumer, defineFunction } from '../../shared/http/index.js';
import { deadLetterRoutes } from './routes/dead-letter-routes.js';

/** The event plumbing's operator face: dead letters, the outbox, and the PingSource tick that sweeps it. */
export const events = defineFunction({
  name: 'events',
  description: 'Event delivery operations: dead letters, outbox status, and the periodic outbox sweep.',
  routes: deadLetterRoutes,
  consumes: [
    consumer({
      // Knative's PingSource: a tick every minute. The sweep runs after the tick is recorded, outside its transaction.
      type: 'dev.knative.sources.ping',
      schema: Type.Unknown(),
      handle: async (ctx) => {
        ctx.platform.dispatcher.nudge(10);
      },
    }),
  ],
});
