import { requireRun, runStore } from '../../../../shared/domains/jobs/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import type { Check } from '../../../../shared/http/index.js';
import { platformObject } from '../../../../shared/policy/index.js';

/** Reading the run the path names, told its owner (members read the runs they own): no such run is a 404 first. */
export async function readableRun({ params }: { params: { id: string } }, services: FunctionServices): Promise<Check[]> {
  const run = await requireRun(runStore(services.store.db), params.id);
  return [{ action: 'jobs:run:read', resource: platformObject('jobs', run.job_id, 'runs', run.id), request: { owner: run.owner } }];
}

/**
 * Reading a job's runs, told who owns them: the job's owner, or once the job is deleted the owner its runs recorded.
 * A job that neither exists nor has runs is a 404 first.
 */
export async function readableJobRuns({ query }: { query: { job: string } }, services: FunctionServices): Promise<Check[]> {
  const owner = await runStore(services.store.db).jobOwner(query.job);
  if (owner === undefined) throw new NotFoundError(`job ${query.job} has no runs and does not exist`);
  return [{ action: 'jobs:run:read', resource: platformObject('jobs', query.job, 'runs'), request: { owner } }];
}
