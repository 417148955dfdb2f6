import type { Static } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import { CompiledQuery } from 'kysely';
import { prepareStatement, type JobRunRow, type RunState, type Tx } from '../../db/index.js';
import {
  eventKey,
  recordBatchKeys,
  recordedKeysCte,
  type BatchItem,
  type BatchKeys,
  type EventContext,
  type OutgoingEvent,
  type FunctionServices,
} from '../../events/index.js';
import { JobEvents } from '../contracts/index.js';
import type { SparkApplicationData } from '../../runtime/index.js';
import { attemptStateOf, isTerminal, mayMove, retryDelaySeconds } from './run-states.js';
import { LABELS } from './spark-application.js';
import { moveRun, timeline, type Move } from './run-lifecycle.js';

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
  const run = await tx.selectFrom('job_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirstOrThrow();
  const s = settlement(run, attemptNo, reported, step.message ?? null, new Date());
  if (s.kind === 'timeline') await timeline(tx, runId, reported, step);
  else await moveRun(tx, platform, run, s.to, { ...step, message: s.message }, s.nextAttemptAt ? { next_attempt_at: s.nextAttemptAt } : {});
}

/** The columns of an attempt a status report may change. */
interface AttemptState {
  run_id: string;
  attempt: number;
  name: string;
  state: RunState;
  app_state: string | null;
  last_sequence: string;
  spark_application_id: string | null;
  ui_url: string | null;
  message: string | null;
  submitted_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
}

interface TimelineRow {
  run_id: string;
  attempt: number | null;
  state: RunState;
  app_state: string | null;
  source: string;
  message: string | null;
  event_key: string | null;
}

/** An attempt read (and locked) with its run: the run's columns, and the attempt's prefixed a_. */
type LockedAttemptRow = JobRunRow & {
  a_attempt: number;
  a_name: string;
  a_state: RunState;
  a_app_state: string | null;
  a_last_sequence: string;
  a_spark_application_id: string | null;
  a_ui_url: string | null;
  a_message: string | null;
  a_submitted_at: Date | null;
  a_started_at: Date | null;
  a_finished_at: Date | null;
};

// A batch's two statements are fixed text (each list one JSON parameter), prepared: PostgreSQL parses and plans them
// once per connection, whatever the batch's size (planning was a third of the write's time). The run ids also go in
// as an array: the planner guesses 100 rows for a recordset and would scan every run; by the array it looks them up
// by key.
const LOCKED_ATTEMPTS = `select r.*, a.attempt as a_attempt, a.name as a_name, a.state as a_state, a.app_state as a_app_state,
  a.last_sequence as a_last_sequence, a.spark_application_id as a_spark_application_id, a.ui_url as a_ui_url,
  a.message as a_message, a.submitted_at as a_submitted_at, a.started_at as a_started_at, a.finished_at as a_finished_at
from job_run_attempts as a
inner join job_runs as r on r.id = a.run_id
where a.run_id = any($RUNS::uuid[])
  and (a.run_id, a.attempt) in (select (p->>0)::uuid, (p->>1)::integer from jsonb_array_elements($PAIRS::jsonb) as p)
order by a.run_id, a.attempt
for update`;
const LOCK_ATTEMPTS = LOCKED_ATTEMPTS.replace('$RUNS', '$1').replace('$PAIRS', '$2');
prepareStatement(LOCK_ATTEMPTS);

// A batch's keys recorded and its attempts locked in one statement (one round trip fewer a batch): every row carries
// the batch's new keys, and one row with no attempt says there was none to lock. The keys go first, as in two
// statements (the filter on them is evaluated before any attempt is locked), so batches that overlap wait for each
// other in one order instead of deadlocking.
const RECORD_KEYS_AND_LOCK_ATTEMPTS = `with ${recordedKeysCte('$1', '$2')},
locked as (${LOCKED_ATTEMPTS.replace('$RUNS', '$3').replace('$PAIRS', '$4').replace('\norder by', '\n  and (select count(*) from recorded_keys) >= 0\norder by')})
select k.recorded_keys, l.*
from (select coalesce(jsonb_agg(jsonb_build_array(source, event_id)), '[]'::jsonb) as recorded_keys from recorded_keys) as k
left join locked as l on true`;
prepareStatement(RECORD_KEYS_AND_LOCK_ATTEMPTS);

// The rows, the timeline and the run events of a batch in one statement.
const WRITE_BATCH = `with attempts as (
  update job_run_attempts as a
  set state = v.state, app_state = v.app_state, last_sequence = v.last_sequence, spark_application_id = v.spark_application_id, ui_url = v.ui_url,
      message = v.message, submitted_at = v.submitted_at, started_at = v.started_at, finished_at = v.finished_at
  from jsonb_to_recordset($1::jsonb) as v(run_id uuid, attempt integer, state text, app_state text, last_sequence bigint,
    spark_application_id text, ui_url text, message text, submitted_at timestamptz, started_at timestamptz, finished_at timestamptz)
  where a.run_id = v.run_id and a.attempt = v.attempt and a.run_id = any($2::uuid[])
  returning 1
), runs as (
  update job_runs as r
  set state = v.state, message = v.message, updated_at = v.updated_at, started_at = v.started_at, finished_at = v.finished_at, next_attempt_at = v.next_attempt_at
  from jsonb_to_recordset($3::jsonb) as v(id uuid, state text, message text, updated_at timestamptz, started_at timestamptz,
    finished_at timestamptz, next_attempt_at timestamptz)
  where r.id = v.id and r.id = any($4::uuid[])
  returning 1
), timeline as (
  insert into job_run_events (run_id, attempt, state, app_state, source, message, event_key)
  select v.run_id, v.attempt, v.state, v.app_state, v.source, v.message, v.event_key
  from jsonb_array_elements($5::jsonb) with ordinality as e(row, n)
  cross join lateral jsonb_to_record(e.row) as v(run_id uuid, attempt integer, state text, app_state text, source text, message text, event_key text)
  order by e.n
  returning 1
), events as (
  insert into outbox (id, source, type, subject, time, data, next_attempt_at)
  select v.id, v.source, v.type, v.subject, v.time, v.data, v.next_attempt_at
  from jsonb_to_recordset($6::jsonb) as v(id uuid, source text, type text, subject text, time timestamptz, data jsonb, next_attempt_at timestamptz)
  returning 1
)
select (select count(*) from attempts) as attempts`;
prepareStatement(WRITE_BATCH);

/** The reports of one batch of deliveries, as a status consumer's handleBatchRecordingKeys: the new ones applied. */
export async function applyStatusBatch(ctx: EventContext, items: ReadonlyArray<BatchItem<App>>, keys: BatchKeys): Promise<ReadonlySet<string>> {
  const ours = reportsOfOurAttempts(items.map((i) => ({ change: changeOf(i.event.type), app: i.data, event: i.event })));
  if (ours.length === 0) return recordBatchKeys(ctx, keys);
  const pairs = [...new Map(ours.map((r) => [r.key, r])).values()];
  const { rows } = await ctx.tx.executeQuery<Partial<LockedAttemptRow> & { recorded_keys: Array<[string, string]> }>(
    CompiledQuery.raw(RECORD_KEYS_AND_LOCK_ATTEMPTS, [
      keys.consumer,
      keys.json,
      pairs.map((p) => p.runId),
      JSON.stringify(pairs.map((p) => [p.runId, p.attemptNo])),
    ]),
  );
  const fresh = new Set(rows[0]!.recorded_keys.map(([source, id]) => eventKey(source, id)));
  const locked = rows.flatMap(({ recorded_keys: _keys, ...row }) => (row.a_attempt == null ? [] : [row as LockedAttemptRow]));
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
  const { rows } = await ctx.tx.executeQuery<LockedAttemptRow>(
    CompiledQuery.raw(LOCK_ATTEMPTS, [pairs.map((p) => p.runId), JSON.stringify(pairs.map((p) => [p.runId, p.attemptNo]))]),
  );
  await applyToLockedAttempts(ctx, ours, rows);
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

  const outboxRows = platform.outbox.rowsOf(events);
  const attemptRows = [...changedAttempts];
  const runRows = [...changedRuns].map((r) => ({
    id: r.id,
    state: r.state,
    message: r.message,
    updated_at: r.updated_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    next_attempt_at: r.next_attempt_at,
  }));
  await tx.executeQuery(
    CompiledQuery.raw(WRITE_BATCH, [
      JSON.stringify(attemptRows),
      attemptRows.map((a) => a.run_id),
      JSON.stringify(runRows),
      runRows.map((r) => r.id),
      JSON.stringify(timelineRows),
      JSON.stringify(outboxRows),
    ]),
  );
  platform.outbox.published(events);
}
