import type { JobRow, JobRunRow } from '../../../shared/db/index.js';
import type { RequestContext } from '../../../shared/http/index.js';
import { maxExecutors, type JobSpec } from '../../../shared/domains/jobs/index.js';

type Ctx = RequestContext<unknown, unknown, unknown>;

/**
 * Asks the control policies about a job action, telling them the job's owner and the executors it may use (the
 * shipped Rego lets members manage and run their own jobs and caps executors).
 */
export async function authorizeJob(ctx: Ctx, verb: string, resource: string, job: { owner: string; spec: JobSpec } | undefined): Promise<void> {
  const request = job ? { owner: job.owner, executors: maxExecutors(job.spec) } : {};
  await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `jobs:${verb}`, resource, request);
}

export const jobOf = (row: JobRow) => ({ owner: row.owner, spec: row.spec as unknown as JobSpec });

export async function authorizeRun(ctx: Ctx, verb: string, run: JobRunRow): Promise<void> {
  await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `jobs:run:${verb}`, `jobs/${run.job_id}/runs/${run.id}`, { owner: run.owner });
}

/** Members see their own jobs and runs in listings; admins everyone's. */
export function ownerFilter(ctx: Ctx): string | undefined {
  const p = ctx.requirePrincipal();
  return p.isAdmin ? undefined : p.name;
}
