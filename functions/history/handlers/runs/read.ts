import { requireRun, runStore, runWithAttempts } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { RunIdParams } from '../../schemas.js';

export const readRun: Handler<{ params: typeof RunIdParams }> = async (ctx) => {
  // The run and its attempts in one snapshot: read apart, an answer could show an attempt that is already running
  // beside a run still submitted, as the attempt's update and the run's landed between the two reads.
  const view = await ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const store = runStore(tx);
      const run = await requireRun(store, ctx.params.id);
      return { run, attempts: await store.attempts(run.id) };
    });
  return json(200, runWithAttempts(view.run, view.attempts, ctx.platform.config.LAKEPLANE_SPARK_HISTORY_URL));
};
