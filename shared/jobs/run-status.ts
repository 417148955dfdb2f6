import type { Static } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import type { RunState, Tx } from '../db/index.js';
import type { EventContext } from '../http/index.js';
import type { SparkApplicationData } from './job-events.js';
import { attemptStateOf, isTerminal, mayMove, retryDelaySeconds } from './run-states.js';
import { LABELS } from './spark-application.js';
import type { Platform } from '../platform/index.js';
import { moveRun, timeline, type Move } from './run-lifecycle.js';

type App = Static<typeof SparkApplicationData>;

/**
 * A SparkApplication's status, as the ApiServerSource (or the local runtime) reports it, applied to its attempt and
 * run. Order-safe: the attempt keeps the highest resourceVersion it applied, so an older or repeated report changes
 * nothing, and terminal states are final. An attempt that fails while attempts remain puts the run back to QUEUED
 * with the time of the next attempt; the supervisor starts it.
 */
export async function applyApplicationStatus(ctx: EventContext, change: 'add' | 'update' | 'delete', app: App, event: CloudEventV1<unknown>): Promise<void> {
  const labels = app.metadata.labels ?? {};
  const runId = labels[LABELS.run];
  const attemptNo = Number(labels[LABELS.attempt]);
  if (!runId || !Number.isInteger(attemptNo)) return; // not one of ours
  const { tx, platform } = ctx;
  const attempt = await tx.selectFrom('job_run_attempts').selectAll().where('run_id', '=', runId).where('attempt', '=', attemptNo).forUpdate().executeTakeFirst();
  if (!attempt || attempt.name !== app.metadata.name) return;
  const sequence = Number(app.metadata.resourceVersion ?? 0);
  if (sequence <= Number(attempt.last_sequence)) return; // older than what we applied, or the same again
  const appState = change === 'delete' ? 'DELETED' : (app.status?.applicationState?.state ?? '');
  const reported: RunState | undefined = change === 'delete' ? 'FAILED' : attemptStateOf(appState);
  const errorMessage = app.status?.applicationState?.errorMessage;
  const message = change === 'delete' ? 'the SparkApplication was deleted before it finished' : (errorMessage ?? null);
  const moves = reported !== undefined && mayMove(attempt.state, reported);
  const now = new Date();
  await tx
    .updateTable('job_run_attempts')
    .set({
      last_sequence: sequence,
      app_state: appState || 'NEW',
      ...(app.status?.sparkApplicationId ? { spark_application_id: app.status.sparkApplicationId } : {}),
      ...(app.status?.driverInfo?.webUIIngressAddress || app.status?.driverInfo?.webUIAddress ? { ui_url: app.status.driverInfo.webUIIngressAddress ?? app.status.driverInfo.webUIAddress ?? null } : {}),
      ...(moves
        ? {
            state: reported,
            ...(reported === 'SUBMITTED' && !attempt.submitted_at ? { submitted_at: now } : {}),
            ...(reported === 'RUNNING' && !attempt.started_at ? { started_at: now } : {}),
            ...(isTerminal(reported) ? { finished_at: now, message } : {}),
          }
        : {}),
    })
    .where('run_id', '=', runId)
    .where('attempt', '=', attemptNo)
    .execute();
  if (!moves) return;

  await settleRun(tx, platform, runId, attemptNo, reported, { attempt: attemptNo, appState: appState || 'NEW', source: 'runtime', message, eventKey: event.id });
}

/**
 * What an attempt's new state means for its run: the run follows its current attempt; a failed attempt with attempts
 * left puts the run back to QUEUED until the next one is due. A finished run, or a report about an attempt that is no
 * longer the current one, only goes on the timeline.
 */
export async function settleRun(tx: Tx, platform: Platform, runId: string, attemptNo: number, reported: RunState, step: Move): Promise<void> {
  const now = new Date();
  const run = await tx.selectFrom('job_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirstOrThrow();
  const message = step.message ?? null;
  if (isTerminal(run.state) || run.attempts !== attemptNo) {
    await timeline(tx, runId, reported, step);
    return;
  }
  if (reported === 'FAILED' && run.attempts < run.max_attempts) {
    const delay = retryDelaySeconds(run.backoff_seconds, run.attempts + 1);
    await moveRun(tx, platform, run, 'QUEUED', { ...step, message: `attempt ${attemptNo} failed${message ? `: ${message}` : ''}; attempt ${run.attempts + 1} of ${run.max_attempts} in ${delay} s` }, { next_attempt_at: new Date(now.getTime() + delay * 1000) });
    return;
  }
  if (run.state === reported) {
    await timeline(tx, runId, reported, step);
    return;
  }
  await moveRun(tx, platform, run, reported, step);
}
