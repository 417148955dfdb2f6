import { defineFunction } from '../../shared/http/index.js';
import { PolicyEvents } from '../../shared/policy/index.js';
import { dataApiRoutes } from './opa/data-api-routes.js';
import { rangerRoutes } from './ranger/ranger-routes.js';
import { controlPolicyRoutes } from './routes/control-policy-routes.js';
import { decisionLogRoutes } from './routes/decision-log-routes.js';
import { dataPolicyRoutes } from './routes/data-policy-routes.js';

/** Policies: data access policies (Apache Ranger's model), their history, and decisions. */
export const policies = defineFunction({
  name: 'policies',
  description: 'Data access policies (Ranger model: access, masking, row filters), their versions and history, the decision API, and Ranger\'s plugin and public APIs.',
  routes: [...dataPolicyRoutes, ...decisionLogRoutes, ...controlPolicyRoutes, ...rangerRoutes, ...dataApiRoutes],
  publishes: Object.values(PolicyEvents),
});
