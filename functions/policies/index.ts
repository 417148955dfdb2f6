import { defineFunction } from '../../shared/http/index.js';
import { PolicyEvents } from '../../shared/policy/index.js';
import { controlPolicyRoutes } from './routes/control-policy-routes.js';
import { dataApiRoutes } from './routes/opa-data-api-routes.js';
import { dataPolicyRoutes } from './routes/data-policy-routes.js';
import { decisionLogRoutes } from './routes/decision-log-routes.js';
import { decisionRoutes } from './routes/decision-routes.js';
import { rangerRoutes } from './routes/ranger-routes.js';

/** Policies: data access policies (Apache Ranger's model), their history, and decisions. */
export const policies = defineFunction({
  name: 'policies',
  description:
    "Data access policies (Ranger model: access, masking, row filters), their versions and history, the decision API, and Ranger's plugin and public APIs.",
  routes: [...dataPolicyRoutes, ...decisionRoutes, ...decisionLogRoutes, ...controlPolicyRoutes, ...rangerRoutes, ...dataApiRoutes],
  publishes: Object.values(PolicyEvents),
});
