import { Type } from '@sinclair/typebox';
import { consumer, defineFunction } from '../../shared/http/index.js';
import { startTriggeredRuns, TableCommitted } from './handlers/table-triggers.js';
import { tick } from './handlers/tick.js';

/** Schedules and triggers: cron slots start runs exactly once; catalog table commits start the jobs that follow them. */
export const scheduler = defineFunction({
  name: 'scheduler',
  description: 'Starts runs of scheduled jobs once per due slot (concurrency and catch-up policies), and of jobs triggered by catalog table commits.',
  routes: [],
  consumes: [
    consumer({
      // Knative's PingSource, each minute. The tick runs after the ping is recorded, outside its transaction.
      type: 'dev.knative.sources.ping',
      schema: Type.Unknown(),
      handle: async (ctx) => {
        setImmediate(() => void tick(ctx.platform).catch((err: unknown) => ctx.platform.logger.error({ err }, 'scheduler tick failed')));
      },
    }),
    consumer({ type: 'io.lakeplane.catalog.table.committed.v1', schema: TableCommitted, handle: startTriggeredRuns }),
  ],
  workers: [
    (platform) => {
      if (platform.config.LAKEPLANE_MODE !== 'embedded') return async () => {};
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        tick(platform)
          .catch((err: unknown) => platform.logger.error({ err }, 'scheduler tick failed'))
          .finally(() => {
            running = false;
          });
      }, platform.config.LAKEPLANE_SCHEDULER_TICK_MS);
      timer.unref();
      return async () => clearInterval(timer);
    },
  ],
});
