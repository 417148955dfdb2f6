import type { Static } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import type { JobRunRow, RunState, Tx } from '../../db/index.js';
import { eventKey, recordBatchKeys, type BatchItem, type BatchKeys, type EventContext, type OutgoingEvent, type FunctionServices } from '../../events/index.js';
import { JobEvents } from '../contracts/index.js';
import type { SparkApplicationData } from '../../runtime/index.js';
import { attemptStateOf, isTerminal, mayMove, retryDelaySeconds } from './run-states.js';
import { LABELS } from './spark-application.js';
import { moveRun, timeline, type Move } from './run-lifecycle.js';
import { runLifecycleStore } from './run-lifecycle-store.js';
import { runStatusStore, type AttemptState, type LockedAttemptRow, type TimelineRow } from './run-status-store.js';

type App = Static<typeof SparkApplicationData>;
export type ResourceChangeKind = 'add' | 'update' | 'delete';

/** One status report: the change the ApiServerSource saw (its event type) and the SparkApplication. */
export interface StatusReport {
  change: ResourceChangeKind;
  app: App;
  event: CloudEventV1<unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The resource change of a dev.knative.apiserver.resource.* event type. */
export function changeOf(type: string): ResourceChangeKind {
  const change = type.slice(type.lastIndexOf('.') + 1);
  if (change !== 'add' && change !== 'update' && change !== 'delete') throw new Error(`not a resource change event: ${type}`);
  return change;
}

/** What a reported attempt state does to its run: a timeline row only, or a move (maybe back to QUEUED for a retry). */
export type Settlement = { kind: 'timeline' } | { kind: 'move'; to: RunState; message: string | null; nextAttemptAt?: Date };

/**
 * The run follows its current attempt; a failed attempt with attempts left puts the run back to QUEUED until the next
 * one is due. A finished run, or a report about an attempt that is no longer the current one, only goes on the
 * timeline.
 */
export function settlement(
  run: Pick<JobRunRow, 'state' | 'attempts' | 'max_attempts' | 'backoff_seconds'>,
  attemptNo: number,
  reported: RunState,
  message: string | null,
  now: Date,
): Settlement {
  if (isTerminal(run.state) || run.attempts !== attemptNo) return { kind: 'timeline' };
  if (reported === 'FAILED' && run.attempts < run.max_attempts) {
    const delay = retryDelaySeconds(run.backoff_seconds, run.attempts + 1);
    return {
      kind: 'move',
      to: 'QUEUED',
      message: `attempt ${attemptNo} failed${message ? `: ${message}` : ''}; attempt ${run.attempts + 1} of ${run.max_attempts} in ${delay} s`,
      nextAttemptAt: new Date(now.getTime() + delay * 1000),
    };
  }
  if (run.state === reported) return { kind: 'timeline' };
  return { kind: 'move', to: reported, message };
}

/** settlement() applied in the caller's transaction (a refused submit: the runtime's verdict without an event). */
export async function settleRun(tx: Tx, platform: FunctionServices, runId: string, attemptNo: number, reported: RunState, step: Move): Promise<void> {
  const run = await runLifecycleStore(tx).lockExisting(runId);
  const s = settlement(run, attemptNo, reported, step.message ?? null, new Date());
  if (s.kind === 'timeline') await timeline(tx, runId, reported, step);
  else await moveRun(tx, platform, run, s.to, { ...step, message: s.message }, s.nextAttemptAt ? { next_attempt_at: s.nextAttemptAt } : {});
}

/** The reports of one batch of deliveries, as a status consumer's handleBatchRecordingKeys: the new ones applied. */
export async function applyStatusBatch(ctx: EventContext, items: ReadonlyArray<BatchItem<App>>, keys: BatchKeys): Promise<ReadonlySet<string>> {
  const ours = reportsOfOurAttempts(items.map((i) => ({ change: changeOf(i.event.type), app: i.data, event: i.event })));
  if (ours.length === 0) return recordBatchKeys(ctx, keys);
  const pairs = [...new Map(ours.map((r) => [r.key, r])).values()];
  const { recordedKeys, locked } = await runStatusStore(ctx.tx).recordKeysAndLockAttempts(keys, pairs);
  const fresh = new Set(recordedKeys.map(([source, id]) => eventKey(source, id)));
  await applyToLockedAttempts(
    ctx,
    ours.filter((r) => fresh.has(eventKey(r.event.source, r.event.id))),
    locked,
  );
  return fresh;
}

type OurReport = StatusReport & { runId: string; attemptNo: number; key: string };

/** The reports about attempts of ours (labelled with a run and an attempt), others ignored. */
function reportsOfOurAttempts(reports: readonly StatusReport[]): OurReport[] {
  return reports.flatMap((r) => {
    const labels = r.app.metadata.labels ?? {};
    const runId = labels[LABELS.run];
    const attemptNo = Number(labels[LABELS.attempt]);
    return runId && UUID.test(runId) && Number.isInteger(attemptNo) && attemptNo > 0 && attemptNo < 2 ** 31
      ? [{ ...r, runId, attemptNo, key: `${runId}/${attemptNo}` }]
      : [];
  });
}

/**
 * SparkApplication status reports, as the ApiServerSource (or the local runtime) sends them, applied to their
 * attempts and runs in the caller's transaction, in the order given. Order-safe: an attempt keeps the highest
 * resourceVersion it applied, so an older or repeated report changes nothing, and terminal states are final. An
 * attempt that fails while attempts remain puts the run back to QUEUED with the time of the next attempt; the
 * supervisor starts it.
 *
 * Set-based, so a batch costs the same few statements as one report: the attempts and runs concerned are read and
 * locked in one statement (in key order, so concurrent batches cannot deadlock each other), every report is applied
 * to them in memory by the same rules, and the new rows, the timeline and the run events are written in two.
 */
export async function applyApplicationStatuses(ctx: EventContext, reports: readonly StatusReport[]): Promise<void> {
  const ours = reportsOfOurAttempts(reports);
  if (ours.length === 0) return;
  const pairs = [...new Map(ours.map((r) => [r.key, r])).values()];
  await applyToLockedAttempts(ctx, ours, await runStatusStore(ctx.tx).lockAttempts(pairs));
}

/** The reports applied, in order, to their attempts and runs as read and locked; the changes written in one statement. */
async function applyToLockedAttempts(ctx: EventContext, ours: readonly OurReport[], rows: readonly LockedAttemptRow[]): Promise<void> {
  const { tx, platform } = ctx;
  const runs = new Map<string, JobRunRow>();
  const attempts = new Map<string, AttemptState>();
  for (const row of rows) {
    const {
      a_attempt,
      a_name,
      a_state,
      a_app_state,
      a_last_sequence,
      a_spark_application_id,
      a_ui_url,
      a_message,
      a_submitted_at,
      a_started_at,
      a_finished_at,
      ...run
    } = row;
    runs.set(run.id, run);
    attempts.set(`${run.id}/${a_attempt}`, {
      run_id: run.id,
      attempt: a_attempt,
      name: a_name,
      state: a_state,
      app_state: a_app_state,
      last_sequence: a_last_sequence,
      spark_application_id: a_spark_application_id,
      ui_url: a_ui_url,
      message: a_message,
      submitted_at: a_submitted_at,
      started_at: a_started_at,
      finished_at: a_finished_at,
    });
  }

  const changedAttempts = new Set<AttemptState>();
  const changedRuns = new Set<JobRunRow>();
  const timelineRows: TimelineRow[] = [];
  const events: Array<OutgoingEvent<typeof JobEvents.runStateChanged.schema>> = [];
  const now = new Date();
  const onTimeline = (runId: string, state: RunState, m: Move) =>
    timelineRows.push({
      run_id: runId,
      attempt: m.attempt,
      state,
      app_state: m.appState ?? null,
      source: m.source,
      message: m.message ?? null,
      event_key: m.eventKey ?? null,
    });

  for (const { change, app, event, runId, attemptNo, key } of ours) {
    const attempt = attempts.get(key);
    if (!attempt || attempt.name !== app.metadata.name) continue;
    const sequence = Number(app.metadata.resourceVersion ?? 0);
    if (sequence <= Number(attempt.last_sequence)) continue; // older than what we applied, or the same again
    const appState = change === 'delete' ? 'DELETED' : (app.status?.applicationState?.state ?? '');
    const reported: RunState | undefined = change === 'delete' ? 'FAILED' : attemptStateOf(appState);
    const errorMessage = app.status?.applicationState?.errorMessage;
    const message = change === 'delete' ? 'the SparkApplication was deleted before it finished' : (errorMessage ?? null);
    const moves = reported !== undefined && mayMove(attempt.state, reported);
    attempt.last_sequence = String(sequence);
    attempt.app_state = appState || 'NEW';
    if (app.status?.sparkApplicationId) attempt.spark_application_id = app.status.sparkApplicationId;
    const ui = app.status?.driverInfo?.webUIIngressAddress ?? app.status?.driverInfo?.webUIAddress;
    if (ui) attempt.ui_url = ui;
    changedAttempts.add(attempt);
    if (!moves) continue;
    attempt.state = reported;
    if (reported === 'SUBMITTED' && !attempt.submitted_at) attempt.submitted_at = now;
    if (reported === 'RUNNING' && !attempt.started_at) attempt.started_at = now;
    if (isTerminal(reported)) {
      attempt.finished_at = now;
      attempt.message = message;
    }

    const run = runs.get(runId)!;
    const step: Move = { attempt: attemptNo, appState: appState || 'NEW', source: 'runtime', message, eventKey: event.id };
    const s = settlement(run, attemptNo, reported, message, now);
    if (s.kind === 'timeline') {
      onTimeline(runId, reported, step);
      continue;
    }
    // As moveRun does it, on the row in memory.
    const previous = run.state;
    run.state = s.to;
    run.message = s.message ?? run.message;
    run.updated_at = now;
    if (s.to === 'RUNNING' && !run.started_at) run.started_at = now;
    if (isTerminal(s.to)) {
      run.finished_at = now;
      run.next_attempt_at = null;
    }
    if (s.nextAttemptAt) run.next_attempt_at = s.nextAttemptAt;
    changedRuns.add(run);
    onTimeline(runId, s.to, { ...step, message: s.message });
    events.push({
      type: JobEvents.runStateChanged,
      subject: `runs/${run.id}`,
      data: {
        runId: run.id,
        jobId: run.job_id,
        jobName: run.job_name,
        jobVersion: run.job_version,
        state: s.to,
        previousState: previous,
        attempt: run.attempts,
        trigger: run.trigger,
        message: s.message,
      },
    });
  }
  if (changedAttempts.size === 0) return;

  await runStatusStore(tx).writeBatch({
    attempts: [...changedAttempts],
    runs: [...changedRuns],
    timeline: timelineRows,
    outbox: platform.outbox.rowsOf(events),
  });
  platform.outbox.published(events);
}
