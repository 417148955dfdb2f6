import type { FunctionServices } from '../../events/index.js';
import type { JobSpec, RunOverrides } from './job-spec.js';
import { isTerminal } from './run-states.js';
import { sparkApplication } from './spark-application.js';
import { settleRun } from './run-status.js';
import { runLifecycleStore } from './run-lifecycle-store.js';

/**
 * Hands an attempt to the runtime (after the transaction that made it committed). Idempotent: the application's name
 * is fixed per attempt, so a second submit (a retry after a crash, the supervisor) finds the first. Only a QUEUED
 * attempt of a run still in progress is submitted.
 */
export async function submitAttempt(platform: FunctionServices, runId: string, attempt: number): Promise<void> {
  const db = platform.store.db;
  const row = await runLifecycleStore(db).attemptToSubmit(runId, attempt);
  if (!row || row.attemptState !== 'QUEUED' || isTerminal(row.runState)) return;
  const app = sparkApplication(
    row.spec as unknown as JobSpec,
    row.overrides as RunOverrides,
    { jobId: row.job_id, runId, attempt },
    {
      namespace: platform.config.LAKEPLANE_JOBS_NAMESPACE,
      serviceAccount: platform.config.LAKEPLANE_JOBS_SERVICE_ACCOUNT,
      image: platform.config.LAKEPLANE_SPARK_IMAGE,
    },
  );
  const result = await platform.runtime.submit(app);
  if (result.rejected !== undefined) {
    const message = result.rejected;
    // Refused for what it is: the attempt fails (as SUBMISSION_FAILED would), and the run retries or fails.
    await db.transaction().execute(async (tx) => {
      if (await runLifecycleStore(tx).failQueuedAttempt(runId, attempt, message))
        await settleRun(tx, platform, runId, attempt, 'FAILED', { attempt, appState: 'SUBMISSION_FAILED', source: 'runtime', message });
    });
    return;
  }
  await runLifecycleStore(db).markSubmitted(runId, attempt, result.logLocation ?? null);
}

/** Submits without failing the caller: a failure is logged, and the supervisor tries again. */
export function submitInBackground(platform: FunctionServices, runId: string, attempt: number): void {
  void submitAttempt(platform, runId, attempt).catch((err: unknown) =>
    platform.logger.error({ err, runId, attempt }, 'submitting a run attempt failed; the supervisor retries it'),
  );
}
