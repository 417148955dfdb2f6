import { defineFunction } from '../../shared/http/index.js';
import { runHistoryRoutes } from './routes/run-history-routes.js';

/** Run history: every run with its attempts, timeline and driver logs. */
export const history = defineFunction({
  name: 'history',
  description: 'Run history: runs with filters, attempts, the timeline of every state change, and driver logs.',
  routes: runHistoryRoutes,
});
