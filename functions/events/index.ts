import { defineFunction, periodic } from '../../shared/http/index.js';
import { deadLetterRoutes } from './routes/dead-letter-routes.js';

/** The event plumbing's operator face: dead letters, the outbox, and the PingSource tick that sweeps it. */
export const events = defineFunction({
  name: 'events',
  description: 'Event delivery operations: dead letters, outbox status, and the periodic outbox sweep.',
  routes: deadLetterRoutes,
  // Knative's PingSource, every minute: a sweep of the outbox. Embedded mode needs none: its dispatcher polls.
  periodic: [periodic('outbox sweep', async (platform) => platform.dispatcher.nudge(10))],
});
