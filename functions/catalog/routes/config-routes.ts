import { TokenRequest } from '../../../shared/auth/index.js';
import { catalogObject } from '../../../shared/policy/index.js';
import { configWarehouse, getConfig } from '../handlers/config/get-config.js';
import { getToken } from '../handlers/config/get-token.js';
import { ConfigQuery } from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, icebergRoute } from './iceberg-route.js';

export const configRoutes = [
  icebergRoute({
    method: 'GET',
    path: '/v1/config',
    operationId: 'iceberg.getConfig',
    query: ConfigQuery,
    summary: 'Iceberg catalog configuration for a warehouse: the prefix to use, the namespace separator, every served endpoint.',
    responses: { 200: ICEBERG_RESPONSE },
    // The warehouse asked for, or the only one: 404 (or 400) before the caller's use of it is decided.
    authorization: {
      action: 'catalog:warehouse:use',
      resource: async (input, services) => catalogObject((await configWarehouse(input, services.store.db)).name),
    },
    handler: getConfig,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/oauth/tokens',
    operationId: 'iceberg.getToken',
    bodyKind: 'form',
    body: TokenRequest,
    errorShape: 'oauth',
    summary:
      'Deprecated Iceberg token endpoint, for older clients: the same grants as /api/v1/auth/token. New clients set oauth2-server-uri to /api/v1/auth/token.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: {
      public:
        'the token endpoint: a client authenticates with the grant it sends (client secret, password, refresh or subject token), which the token service verifies',
    },
    // The token service keeps its own transactions (grants, throttling): none is opened around it.
    mutates: 'in-steps',
    handler: getToken,
  }),
];
