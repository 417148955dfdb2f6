import { runStore, runsVisibleTo, type ListRunsQuery } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';

/** Runs, newest first, with filters, of those the caller may see (members their own). */
export const listRuns: Handler<{ query: typeof ListRunsQuery }> = async (ctx) =>
  json(200, await runStore(ctx.db).list(ctx.query, runsVisibleTo(ctx.requirePrincipal())));
