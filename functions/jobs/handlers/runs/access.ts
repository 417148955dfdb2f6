import { requireRun, runStore } from '../../../../shared/domains/jobs/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import type { Check } from '../../../../shared/http/index.js';
import { platformObject, type Action } from '../../../../shared/policy/index.js';

/**
 * The check of `action` on a run of the job the path names, told the run's owner: a run that does not exist, or is
 * another job's, is a 404 before anything is decided.
 */
export function runOfJob(action: Action) {
  return async ({ params }: { params: { id: string; runId: string } }, services: FunctionServices): Promise<Check[]> => {
    const run = await requireRun(runStore(services.store.db), params.runId);
    if (run.job_id !== params.id) throw new NotFoundError(`run ${run.id} is not a run of job ${params.id}`);
    return [{ action, resource: platformObject('jobs', run.job_id, 'runs', run.id), request: { owner: run.owner } }];
  };
}
