import type { LakehouseState } from '../../db/index.js';
import { ConflictError } from '../../errors/index.js';

export const LAKEHOUSE_STATES: readonly LakehouseState[] = ['STOPPED', 'STARTING', 'RUNNING', 'STOPPING', 'FAILED', 'DELETING'];

/** Where a workload is (or is about to be): it must be stopped before the lakehouse can be anything else. */
export const WORKLOAD_STATES: readonly LakehouseState[] = ['STARTING', 'RUNNING', 'STOPPING', 'DELETING'];

export type LakehouseAction = 'start' | 'stop' | 'restart';

/** Which states each action may be taken from; anything else is a 409 that says what to do instead. */
const ALLOWED: Record<LakehouseAction, readonly LakehouseState[]> = {
  start: ['STOPPED', 'FAILED'],
  stop: ['STARTING', 'RUNNING', 'FAILED'],
  restart: ['STARTING', 'RUNNING', 'FAILED', 'STOPPED'],
};

export function checkAction(name: string, state: LakehouseState, action: LakehouseAction): void {
  if (ALLOWED[action].includes(state)) return;
  const hint: Record<LakehouseState, string> = {
    STOPPED: 'it is already stopped',
    STARTING: 'it is starting already',
    RUNNING: 'it is already running (restart it to apply changes)',
    STOPPING: 'it is stopping: wait until it is STOPPED',
    FAILED: 'it failed: start it again, or stop it to clean up',
    DELETING: 'it is being deleted',
  };
  throw new ConflictError(`lakehouse ${name} is ${state}: cannot ${action} (${hint[state]})`);
}

/**
 * The lakehouse state a workload report means. The Spark Operator's application states (NEW, SUBMITTED, RUNNING,
 * SUCCEEDING, COMPLETED, FAILING, FAILED, SUBMISSION_FAILED, PENDING_RERUN, INVALIDATING, UNKNOWN) while the lakehouse
 * is starting or running: a running driver is not yet serving (the endpoints are probed first), and any end of a
 * server that should run forever is a failure.
 */
export function workloadOutcome(appState: string): 'pending' | 'running' | 'ended' {
  switch (appState) {
    case 'RUNNING':
      return 'running';
    case 'COMPLETED':
    case 'FAILED':
    case 'SUBMISSION_FAILED':
    case 'FAILING':
    case 'SUCCEEDING':
      return 'ended';
    default:
      return 'pending';
  }
}
