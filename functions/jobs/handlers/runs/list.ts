import { runStore, runsVisibleTo } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { JobParams, JobRunsQuery } from '../../schemas.js';

/** A job's runs, newest first, of those the caller may see (members their own, as GET /api/v1/runs). */
export const listJobRuns: Handler<{ params: typeof JobParams; query: typeof JobRunsQuery }> = async (ctx) =>
  json(200, await runStore(ctx.db).list({ ...ctx.query, job: ctx.params.id }, runsVisibleTo(ctx.requirePrincipal())));
