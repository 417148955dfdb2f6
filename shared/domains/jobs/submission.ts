import type { FunctionServices } from '../../events/index.js';
import type { JobSpec, RunOverrides } from './job-spec.js';
import { isTerminal } from './run-states.js';
import { sparkApplication } from './spark-application.js';
import { settleRun } from './run-status.js';

/**
 * Hands an attempt to the runtime (after the transaction that made it committed). Idempotent: the application's name
 * is fixed per attempt, so a second submit (a retry after a crash, the supervisor) finds the first. Only a QUEUED
 * attempt of a run still in progress is submitted.
 */
export async function submitAttempt(platform: FunctionServices, runId: string, attempt: number): Promise<void> {
  const db = platform.store.db;
  const row = await db
    .selectFrom('job_run_attempts as a')
    .innerJoin('job_runs as r', 'r.id', 'a.run_id')
    .innerJoin('job_versions as v', (j) => j.onRef('v.job_id', '=', 'r.job_id').onRef('v.version', '=', 'r.job_version'))
    .select(['a.state as attemptState', 'r.state as runState', 'r.job_id', 'r.overrides', 'v.spec'])
    .where('a.run_id', '=', runId)
    .where('a.attempt', '=', attempt)
    .executeTakeFirst();
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
      const updated = await tx
        .updateTable('job_run_attempts')
        .set({ state: 'FAILED', app_state: 'SUBMISSION_FAILED', message, finished_at: new Date() })
        .where('run_id', '=', runId)
        .where('attempt', '=', attempt)
        .where('state', '=', 'QUEUED')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0)
        await settleRun(tx, platform, runId, attempt, 'FAILED', { attempt, appState: 'SUBMISSION_FAILED', source: 'runtime', message });
    });
    return;
  }
  await db
    .updateTable('job_run_attempts')
    .set({ submitted_at: new Date(), log_location: result.logLocation ?? null })
    .where('run_id', '=', runId)
    .where('attempt', '=', attempt)
    .where('submitted_at', 'is', null)
    .execute();
}

/** Submits without failing the caller: a failure is logged, and the supervisor tries again. */
export function submitInBackground(platform: FunctionServices, runId: string, attempt: number): void {
  void submitAttempt(platform, runId, attempt).catch((err: unknown) =>
    platform.logger.error({ err, runId, attempt }, 'submitting a run attempt failed; the supervisor retries it'),
  );
}
