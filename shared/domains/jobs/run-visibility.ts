import type { Principal } from '../../auth/index.js';

/**
 * Which runs a caller may see: the rule GET /api/v1/runs/{id} applies through the control policies (members read the
 * runs they own, admins every run), said once as a filter. Every listing of runs (a job's runs, the run history, a
 * job's statistics) takes it, so none shows a run whose read answers 403: a job's owner is not its runs' owner once
 * the job changes hands, and the job's owner must not see the runs of the one before.
 */
export interface RunVisibility {
  /** Only runs of this owner; undefined: every run. */
  readonly owner: string | undefined;
}

export function runsVisibleTo(viewer: Pick<Principal, 'isAdmin' | 'name'>): RunVisibility {
  return { owner: viewer.isAdmin ? undefined : viewer.name };
}
