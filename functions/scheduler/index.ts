import { Type } from '@sinclair/typebox';
import { CatalogEvents } from '../../shared/domains/contracts/index.js';
import { consumer, defineFunction, embeddedTicker } from '../../shared/http/index.js';
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
    consumer({ type: CatalogEvents.tableCommitted.type, schema: TableCommitted, handle: startTriggeredRuns }),
  ],
  // Embedded mode has no PingSource: a timer does its work.
  workers: [embeddedTicker('scheduler tick', (c) => c.LAKEPLANE_SCHEDULER_TICK_MS, (platform) => tick(platform))],
});
