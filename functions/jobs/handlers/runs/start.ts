import { type Handler } from '../../../../shared/http/index.js';
import type { CreateRunBody, JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';
import { requireJob } from '../jobs/access.js';
import { startRunOnce } from './start-once.js';

/** Runs a job now (its current version), with optional overrides, for the caller the declaration let in. */
export const startRun: Handler<{ params: typeof JobParams; body: typeof CreateRunBody }> = async (ctx) => {
  const p = ctx.requirePrincipal();
  const job = await requireJob(jobStore(ctx.db), ctx.params.id);
  return startRunOnce(ctx, job, { requestedBy: `${p.kind}:${p.name}`, principal: `${p.kind}:${p.id}`, trigger: 'manual' });
};
