import { defineFunction } from '../../shared/http/index.js';
import { PolicyEvents } from './policy-events.js';
import { dataPolicyRoutes } from './routes/data-policy-routes.js';

/** Policies: data access policies (Apache Ranger's model), their history, and decisions. */
export const policies = defineFunction({
  name: 'policies',
  description: 'Data access policies (Ranger model: access, masking, row filters), their versions and history, and the decision API.',
  routes: [...dataPolicyRoutes],
  publishes: Object.values(PolicyEvents),
});
