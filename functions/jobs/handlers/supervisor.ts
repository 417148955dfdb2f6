import { sql } from 'kysely';
import type { Platform } from '../../../shared/platform/index.js';
import { endRun, insertAttempt, timeline, submitInBackground } from '../../../shared/domains/jobs/index.js';

/** An attempt the runtime has not confirmed taking this long after it was made is submitted again (idempotently). */
const RESUBMIT_AFTER_MS = 15_000;

/**
 * What keeps runs moving without a request: runs past their timeout are stopped (TIMED_OUT), due retries get their
 * next attempt, and attempts never handed to the runtime (a crash between commit and submit) are submitted. Rows are
 * claimed with SKIP LOCKED, so several replicas (or ticks) never act on the same run twice. Runs on every PingSource
 * tick in cluster mode, and on a timer in embedded mode.
 */
export async function superviseRuns(platform: Platform, now = new Date()): Promise<{ timedOut: number; retried: number; resubmitted: number }> {
  const db = platform.store.db;
  let timedOut = 0;
  let retried = 0;
  let resubmitted = 0;

  const overdue = await db
    .selectFrom('job_runs')
    .select('id')
    .where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING'])
    .where('timeout_at', '<=', now)
    .limit(100)
    .execute();
  for (const { id } of overdue) {
    const ended = await db.transaction().execute(async (tx) => {
      const run = await tx.selectFrom('job_runs').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
      if (!run || !['QUEUED', 'SUBMITTED', 'RUNNING'].includes(run.state) || !run.timeout_at || run.timeout_at > now) return undefined;
      return endRun(tx, platform, run, 'TIMED_OUT', {
        attempt: run.attempts,
        source: 'supervisor',
        message: `still ${run.state.toLowerCase()} at its timeout (${run.timeout_at.toISOString()})`,
      });
    });
    if (ended) {
      timedOut += 1;
      await platform.runtime.cancel(ended.attemptName).catch((err: unknown) => platform.logger.error({ err, runId: id }, 'stopping a timed-out run failed'));
    }
  }

  const due = await db.selectFrom('job_runs').select('id').where('state', '=', 'QUEUED').where('next_attempt_at', '<=', now).limit(100).execute();
  for (const { id } of due) {
    const next = await db.transaction().execute(async (tx) => {
      const run = await tx.selectFrom('job_runs').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
      if (!run || run.state !== 'QUEUED' || !run.next_attempt_at || run.next_attempt_at > now || run.attempts >= run.max_attempts) return undefined;
      const attempt = run.attempts + 1;
      const updated = await tx
        .updateTable('job_runs')
        .set({ attempts: attempt, next_attempt_at: null, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertAttempt(tx, platform, updated, attempt);
      await timeline(tx, id, 'QUEUED', { attempt, source: 'supervisor', message: `attempt ${attempt} of ${run.max_attempts}` });
      return attempt;
    });
    if (next) {
      retried += 1;
      submitInBackground(platform, id, next);
    }
  }

  const stale = await db
    .selectFrom('job_run_attempts as a')
    .innerJoin('job_runs as r', 'r.id', 'a.run_id')
    .select(['a.run_id', 'a.attempt'])
    .where('a.state', '=', 'QUEUED')
    .where('r.state', 'in', ['QUEUED', 'SUBMITTED'])
    .where(sql<boolean>`r.attempts = a.attempt`)
    .where('a.created_at', '<=', new Date(now.getTime() - RESUBMIT_AFTER_MS))
    .where((eb) => eb.or([eb('a.submitted_at', 'is', null), eb('a.submitted_at', '<=', new Date(now.getTime() - RESUBMIT_AFTER_MS))]))
    .limit(100)
    .execute();
  for (const a of stale) {
    resubmitted += 1;
    submitInBackground(platform, a.run_id, a.attempt);
  }
  return { timedOut, retried, resubmitted };
}
