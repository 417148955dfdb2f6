import { consumer, defineFunction, periodic } from '../../shared/http/index.js';
import { LakehouseEvents } from '../../shared/domains/contracts/index.js';
import { applyWorkloadStatus, takeStartRequest } from '../../shared/domains/lakehouses/index.js';
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

// A connection through the gateway, or a statement, found a lakehouse stopped with auto-start on: it is started here,
// where its workload is supervised, after the delivery is recorded (the start submits a workload: slow work).
const startRequests = consumer({
  type: LakehouseEvents.startRequested.type,
  schema: LakehouseEvents.startRequested.schema,
  handle: async (ctx, data) => ctx.afterCommit(() => takeStartRequest(ctx.platform, data)),
});

const supervise = (platform: Platform) => superviseLakehouses(platform).then(() => undefined);

/** Lakehouses: long-running Spark SQL endpoints (HiveServer2 and Spark Connect), their states, connections and activity. */
export const lakehouses = defineFunction({
  name: 'lakehouses',
  description:
    'Lakehouses: Spark SQL endpoints (HiveServer2 for JDBC/ODBC, Spark Connect) on the local runtime or the Spark Operator; create, start, stop, restart, auto-stop, delete; connection details; activity.',
  routes: [...lakehouseRoutes, ...actionRoutes],
  consumes: [...statusConsumers, startRequests],
  workers: [
    async (platform) => {
      const n = await reconcileLocalLakehouses(platform);
      if (n > 0) platform.logger.info({ lakehouses: n }, 'lakehouses left running by an earlier process were stopped');
      return async () => {};
    },
  ],
  // Probes, start timeouts, auto-stop, stuck stops.
  periodic: [periodic('lakehouse supervision', supervise, (c) => c.LAKEPLANE_LAKEHOUSES_SUPERVISE_MS)],
  publishes: Object.values(LakehouseEvents),
});
