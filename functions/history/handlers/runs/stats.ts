import { runStore, runsVisibleTo } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { StatsQuery } from '../../schemas.js';

/** A job's run statistics, over the runs the caller may see. */
export const jobStats: Handler<{ query: typeof StatsQuery }> = async (ctx) =>
  json(200, await runStore(ctx.db).stats(ctx.query.job, ctx.query.last ?? 10, runsVisibleTo(ctx.requirePrincipal())));
