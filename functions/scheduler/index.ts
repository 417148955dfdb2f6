import { CatalogEvents } from '../../shared/domains/contracts/index.js';
import { consumer, defineFunction, periodic } from '../../shared/http/index.js';
import { startTriggeredRuns, TableCommitted } from './handlers/table-triggers.js';
import { tick } from './handlers/tick.js';

/** Schedules and triggers: cron slots start runs exactly once; catalog table commits start the jobs that follow them. */
export const scheduler = defineFunction({
  name: 'scheduler',
  description: 'Starts runs of scheduled jobs once per due slot (concurrency and catch-up policies), and of jobs triggered by catalog table commits.',
  routes: [],
  consumes: [consumer({ type: CatalogEvents.tableCommitted.type, schema: TableCommitted, handle: startTriggeredRuns })],
  // Due slots start their runs.
  periodic: [periodic('scheduler tick', tick, (c) => c.LAKEPLANE_SCHEDULER_TICK_MS)],
});
