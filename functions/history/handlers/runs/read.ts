import { requireRun, runStore, runWithAttempts } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { RunIdParams } from '../../schemas.js';

export const readRun: Handler<{ params: typeof RunIdParams }> = async (ctx) => {
  const store = runStore(ctx.db);
  const run = await requireRun(store, ctx.params.id);
  return json(200, runWithAttempts(run, await store.attempts(run.id), ctx.platform.config.LAKEPLANE_SPARK_HISTORY_URL));
};
