import type { Principal } from '../../../../shared/auth/index.js';
import type { JobRow } from '../../../../shared/db/index.js';
import { maxExecutors, type JobSpec } from '../../../../shared/domains/jobs/index.js';
import { ForbiddenError, NotFoundError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import type { Check, OperationContext } from '../../../../shared/http/index.js';
import { platformObject, type Action } from '../../../../shared/policy/index.js';
import { jobStore, type JobStore } from '../../store/job-store.js';

/**
 * What the control policies are told about a job an action is about: its owner and the executors it may use (the
 * shipped Rego lets members manage and run their own jobs, and caps executors).
 */
export function jobRequest(job: { owner: string; spec: JobSpec }): Record<string, unknown> {
  return { owner: job.owner, executors: maxExecutors(job.spec) };
}

export const jobOf = (row: JobRow) => ({ owner: row.owner, spec: row.spec as unknown as JobSpec });

export async function requireJob(store: JobStore, id: string): Promise<JobRow> {
  const row = await store.find(id);
  if (!row) throw new NotFoundError(`job ${id} does not exist`);
  return row;
}

/** Who did it, as jobs and their versions record it. */
export const actorOf = (p: Principal) => `${p.kind}:${p.name}`;

/** Only an admin gives a job to someone else. */
export function ownerFor(p: Principal, asked: string | undefined): string {
  if (asked !== undefined && asked !== p.name && !p.isAdmin) throw new ForbiddenError(`only admins create or give jobs owned by someone else (owner ${asked})`);
  return asked ?? p.name;
}

/**
 * The check of `action` on the job the path names (or on what lies below it: its runs, its trigger token), told the
 * job as it is stored: a job that does not exist is a 404 before anything is decided.
 */
export function storedJob(action: Action, ...below: string[]) {
  return async ({ params }: { params: { id: string } }, services: FunctionServices): Promise<Check[]> => {
    const job = await requireJob(jobStore(services.store.db), params.id);
    return [{ action, resource: platformObject('jobs', job.id, ...below), request: jobRequest(jobOf(job)) }];
  };
}

/** Creating a job: first whom it is for (only an admin gives one to someone else), then the owner and executors it asks. */
export function newJob({ body, principal }: { body: JobSpec; principal: Principal | undefined }): Check[] {
  const owner = ownerFor(principal!, body.owner);
  return [{ action: 'jobs:job:create', resource: platformObject('jobs', body.name), request: jobRequest({ owner, spec: body }) }];
}

/**
 * The declaration decided on the job as read before the transaction; locked in it, the job is decided on again (the
 * locked row is data only the transaction reads): a job that changed owner meanwhile is not changed by a caller that
 * decision was not about. Decided with the control bundle as loaded (authorizeInTransaction): asking the store
 * whether it changed, from inside the transaction, wedged the PGlite store (its one connection held by this
 * transaction) once the refresh interval passed between the declared check and this one.
 */
export async function stillMay(ctx: OperationContext<unknown, unknown, unknown>, action: Action, locked: JobRow): Promise<void> {
  try {
    await ctx.platform.authorizer.authorizeInTransaction(ctx.requirePrincipal(), action, platformObject('jobs', locked.id), jobRequest(jobOf(locked)));
  } catch (err) {
    if (err instanceof ForbiddenError) throw new ForbiddenError(`job ${locked.name} changed owner meanwhile; read it again`);
    throw err;
  }
}

/** Members see their own jobs in listings; admins everyone's. */
export const ownerFilter = (p: Principal): string | undefined => (p.isAdmin ? undefined : p.name);
