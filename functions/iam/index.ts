import { IamEvents } from '../../shared/auth/index.js';
import { defineFunction } from '../../shared/http/index.js';
import { bootstrapIam } from './handlers/bootstrap.js';
import { auditRoutes } from './routes/audit-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { groupRoutes } from './routes/group-routes.js';
import { identityProviderRoutes } from './routes/identity-provider-routes.js';
import { serviceAccountRoutes } from './routes/service-account-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';

/** Identity and access: users, groups, tokens, service accounts, identity providers, the audit trail. */
export const iam = defineFunction({
  name: 'iam',
  description: 'Identity and access: OAuth2 tokens, users, groups, personal access tokens, service accounts, OIDC providers, audit.',
  routes: [...authRoutes, ...userRoutes, ...groupRoutes, ...tokenRoutes, ...serviceAccountRoutes, ...identityProviderRoutes, ...auditRoutes],
  publishes: Object.values(IamEvents),
  workers: [
    async (platform) => {
      await bootstrapIam(platform);
      return async () => undefined;
    },
  ],
});
