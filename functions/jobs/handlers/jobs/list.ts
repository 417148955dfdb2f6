import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListJobsQuery } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';
import { ownerFilter } from './access.js';

export const listJobs: Handler<{ query: typeof ListJobsQuery }> = async (ctx) =>
  json(200, await jobStore(ctx.db).list(ctx.query, ownerFilter(ctx.requirePrincipal())));
