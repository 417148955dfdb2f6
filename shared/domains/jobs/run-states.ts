import type { RunState } from '../../db/index.js';

export const RUN_STATES = ['QUEUED', 'SUBMITTED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const satisfies readonly RunState[];
export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);
export const ACTIVE_STATES = ['QUEUED', 'SUBMITTED', 'RUNNING'] as const satisfies readonly RunState[];

export const isTerminal = (s: RunState): boolean => TERMINAL_STATES.has(s);

/**
 * The Spark Operator's application states (status.applicationState.state; "" is NEW) as an attempt's state.
 * SUCCEEDING and FAILING are the driver finishing before the operator settles: still running. PENDING_RERUN and
 * INVALIDATING are the operator resubmitting: submitted again. UNKNOWN (the operator lost sight of the driver) and the
 * suspend states say nothing we act on: undefined, the attempt keeps its state.
 */
export function attemptStateOf(appState: string | undefined): RunState | undefined {
  switch (appState ?? '') {
    case '':
    case 'NEW':
    case 'SUBMITTED':
    case 'PENDING_RERUN':
    case 'INVALIDATING':
      return 'SUBMITTED';
    case 'RUNNING':
    case 'SUCCEEDING':
    case 'FAILING':
      return 'RUNNING';
    case 'COMPLETED':
      return 'SUCCEEDED';
    case 'FAILED':
    case 'SUBMISSION_FAILED':
      return 'FAILED';
    default:
      return undefined;
  }
}

/** Whether an attempt may move from one state to another: forward only, and never out of a terminal state. */
export function mayMove(from: RunState, to: RunState): boolean {
  if (from === to || isTerminal(from)) return false;
  const order: Record<RunState, number> = { QUEUED: 0, SUBMITTED: 1, RUNNING: 2, SUCCEEDED: 3, FAILED: 3, CANCELLED: 3, TIMED_OUT: 3 };
  return order[to] > order[from];
}

/** Wait before attempt n (2, 3, ...): the backoff, doubling per further attempt, capped at a day. */
export function retryDelaySeconds(backoffSeconds: number, nextAttempt: number): number {
  return Math.min(backoffSeconds * 2 ** Math.max(0, nextAttempt - 2), 86400);
}
