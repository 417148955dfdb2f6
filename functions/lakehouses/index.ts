import { Type } from '@sinclair/typebox';
import { consumer, defineFunction, embeddedTicker } from '../../shared/http/index.js';
import { LakehouseEvents } from '../../shared/domains/contracts/index.js';
import { applyWorkloadStatus } from '../../shared/domains/lakehouses/index.js';
import { ResourceEvents } from '../../shared/runtime/index.js';
import type { Platform } from '../../shared/platform/index.js';
import { reconcileLocalLakehouses, superviseLakehouses } from './handlers/supervisor.js';
import { actionRoutes } from './routes/action-routes.js';
import { lakehouseRoutes } from './routes/lakehouse-routes.js';

const statusConsumers = (['add', 'update', 'delete'] as const).map((change) =>
  consumer({
    type: ResourceEvents[change].type,
    schema: ResourceEvents[change].schema,
    handle: (ctx, data, event) => applyWorkloadStatus(ctx, change, data, event),
  }),
);

const supervise = (platform: Platform) => superviseLakehouses(platform).then(() => undefined);

/** Lakehouses: long-running Spark SQL endpoints (HiveServer2 and Spark Connect), their states, connections and activity. */
export const lakehouses = defineFunction({
  name: 'lakehouses',
  description: 'Lakehouses: Spark SQL endpoints (HiveServer2 for JDBC/ODBC, Spark Connect) on the local runtime or the Spark Operator; create, start, stop, restart, auto-stop, delete; connection details; activity.',
  routes: [...lakehouseRoutes, ...actionRoutes],
  consumes: [
    ...statusConsumers,
    consumer({
      // Knative's PingSource (cluster mode): probes, start timeouts, auto-stop, stuck stops.
      type: 'dev.knative.sources.ping',
      schema: Type.Unknown(),
      handle: async (ctx) => {
        setImmediate(() => void supervise(ctx.platform).catch((err: unknown) => ctx.platform.logger.error({ err }, 'lakehouse supervision failed')));
      },
    }),
  ],
  workers: [
    async (platform) => {
      const n = await reconcileLocalLakehouses(platform);
      if (n > 0) platform.logger.info({ lakehouses: n }, 'lakehouses left running by an earlier process were stopped');
      return async () => {};
    },
    embeddedTicker('lakehouse supervision', (c) => c.LAKEPLANE_LAKEHOUSES_SUPERVISE_MS, supervise),
  ],
  publishes: Object.values(LakehouseEvents),
});
