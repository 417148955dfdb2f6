export { JobSpec, MAX_ATTEMPTS, RunOverrides, maxExecutors } from './job-spec.js';
export { jobProblems, overrideProblems, memoryMiB, cronProblem } from './job-rules.js';
export { RUN_STATES, TERMINAL_STATES, ACTIVE_STATES, isTerminal, attemptStateOf, mayMove, retryDelaySeconds } from './run-states.js';
export { LABELS, attemptName, sparkApplication, type ApplicationDefaults } from './spark-application.js';
export {
  Attempt,
  Run,
  RunWithAttempts,
  TimelineEntry,
  toRun,
  toAttempt,
  toTimelineEntry,
  runWithAttempts,
  ListRunsQuery,
  RunPage,
  JobStats,
  RunLinks,
} from './run-views.js';
export { runStore, requireRun, type RunStore } from './run-store.js';
export { runLifecycleStore, type RunLifecycleStore } from './run-lifecycle-store.js';
export { runsVisibleTo, type RunVisibility } from './run-visibility.js';
export { moveRun, timeline, insertRun, insertRuns, insertAttempt, endRun, type Move, type NewRun, type ChangeSource } from './run-lifecycle.js';
export { submitAttempt, submitInBackground } from './submission.js';
export { applyApplicationStatuses, applyStatusBatch, changeOf, settleRun, settlement, type StatusReport, type Settlement } from './run-status.js';
