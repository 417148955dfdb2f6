import { defineFunction, idempotencyKeySweep } from '../../shared/http/index.js';
import { CatalogEvents } from '../../shared/domains/contracts/index.js';
import { catalogContext } from './catalog-context.js';
import { purgeSweep } from './handlers/purge-tasks.js';
import { DiscoveryEvents } from './discovery-events.js';
import { configRoutes } from './routes/config-routes.js';
import { discoveryRoutes } from './routes/discovery-routes.js';
import { namespaceRoutes } from './routes/namespace-routes.js';
import { tableRoutes } from './routes/table-routes.js';
import { unsupportedRoutes } from './routes/unsupported-routes.js';
import { viewRoutes } from './routes/view-routes.js';
import { warehouseRoutes } from './routes/warehouse-routes.js';

/** The Apache Iceberg REST catalog under /iceberg, and warehouses under /api/v1/warehouses. */
export const catalog = defineFunction({
  name: 'catalog',
  description: 'Apache Iceberg REST catalog (spec-exact, under /iceberg) over the shared metadata store; warehouses and their storage.',
  routes: [...configRoutes, ...namespaceRoutes, ...tableRoutes, ...viewRoutes, ...unsupportedRoutes, ...warehouseRoutes, ...discoveryRoutes],
  context: catalogContext,
  publishes: [...Object.values(CatalogEvents), ...Object.values(DiscoveryEvents)],
  // Owed purges retried; the Iceberg routes' Idempotency-Keys (scope 'catalog') forgotten a day after they were written.
  periodic: [purgeSweep, idempotencyKeySweep('catalog', (platform) => platform.idempotencyKeys)],
});
