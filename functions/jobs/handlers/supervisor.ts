import type { Platform } from '../../../shared/platform/index.js';
import { endRun, insertAttempt, runLifecycleStore, timeline, submitInBackground } from '../../../shared/domains/jobs/index.js';
import { runSupervisionStore } from '../store/run-supervision-store.js';
import { failLostAttempts } from './lost-attempts.js';

/** An attempt the runtime has not confirmed taking this long after it was made is submitted again (idempotently). */
const RESUBMIT_AFTER_MS = 15_000;

/**
 * What keeps runs moving without a request: attempts the local runtime lost with the process that ran them fail (and
 * retry), runs past their timeout are stopped (TIMED_OUT), due retries get their next attempt, and attempts never handed to the
 * runtime (a crash between commit and submit) are submitted. Rows are
 * claimed with SKIP LOCKED, so several replicas (or ticks) never act on the same run twice. Runs on every PingSource
 * tick in cluster mode, and on a timer in embedded mode.
 */
export async function superviseRuns(platform: Platform, now = new Date()): Promise<{ lost: number; timedOut: number; retried: number; resubmitted: number }> {
  const db = platform.store.db;
  const runs = runSupervisionStore(db);
  const lost = await failLostAttempts(platform);
  let timedOut = 0;
  let retried = 0;
  let resubmitted = 0;

  for (const id of await runs.overdue(now)) {
    const ended = await db.transaction().execute(async (tx) => {
      const run = await runSupervisionStore(tx).claim(id);
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

  for (const id of await runs.retriesDue(now)) {
    const next = await db.transaction().execute(async (tx) => {
      const run = await runSupervisionStore(tx).claim(id);
      if (!run || run.state !== 'QUEUED' || !run.next_attempt_at || run.next_attempt_at > now || run.attempts >= run.max_attempts) return undefined;
      const attempt = run.attempts + 1;
      const updated = await runLifecycleStore(tx).update(id, { attempts: attempt, next_attempt_at: null, updated_at: now });
      await insertAttempt(tx, platform, updated, attempt);
      await timeline(tx, id, 'QUEUED', { attempt, source: 'supervisor', message: `attempt ${attempt} of ${run.max_attempts}` });
      return attempt;
    });
    if (next) {
      retried += 1;
      submitInBackground(platform, id, next);
    }
  }

  for (const a of await runs.unconfirmedAttempts(new Date(now.getTime() - RESUBMIT_AFTER_MS))) {
    resubmitted += 1;
    submitInBackground(platform, a.run_id, a.attempt);
  }
  return { lost, timedOut, retried, resubmitted };
}
