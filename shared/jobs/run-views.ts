import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Executor, JobRunAttemptRow, JobRunEventRow, JobRunRow } from '../db/index.js';
import { NotFoundError } from '../errors/index.js';
import { decodeCursor, pageOf } from '../http/index.js';
import { RUN_STATES } from './run-states.js';
import type { RunVisibility } from './run-visibility.js';

const State = Type.Union(RUN_STATES.map((s) => Type.Literal(s)));
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  name: Type.String({ description: 'The SparkApplication (or local application) of this attempt.' }),
  runtime: Type.String(),
  state: State,
  appState: Type.Union([Type.String(), Type.Null()], { description: 'The Spark Operator\'s application state last reported.' }),
  sparkApplicationId: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  submittedAt: Time,
  startedAt: Time,
  finishedAt: Time,
});

export const Run = Type.Object({
  id: Type.String({ format: 'uuid' }),
  jobId: Type.String({ format: 'uuid' }),
  jobName: Type.String(),
  jobVersion: Type.Integer({ description: 'The job version this run runs.' }),
  owner: Type.String(),
  state: State,
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule'), Type.Literal('event'), Type.Literal('webhook')]),
  triggerRef: Type.Union([Type.String(), Type.Null()]),
  requestedBy: Type.Union([Type.String(), Type.Null()]),
  overrides: Type.Record(Type.String(), Type.Unknown()),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  message: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Time,
  finishedAt: Time,
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  nextAttemptAt: Time,
  timeoutAt: Time,
});
export type Run = Static<typeof Run>;

export const RunLinks = Type.Object({
  logs: Type.String(),
  timeline: Type.String(),
  sparkUi: Type.Optional(Type.String({ description: 'The driver\'s Spark UI while the current attempt runs.' })),
  sparkHistory: Type.Optional(Type.String({ description: 'The application in the Spark history server (LAKEPLANE_SPARK_HISTORY_URL).' })),
});

export const RunWithAttempts = Type.Composite([Run, Type.Object({ attemptDetails: Type.Array(Attempt), links: RunLinks })]);

export const TimelineEntry = Type.Object({
  at: Type.String({ format: 'date-time' }),
  state: State,
  attempt: Type.Union([Type.Integer(), Type.Null()]),
  appState: Type.Union([Type.String(), Type.Null()]),
  source: Type.String({ description: 'api (a user or the platform), runtime (a status report), supervisor (retries, timeouts).' }),
  message: Type.Union([Type.String(), Type.Null()]),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRun(r: JobRunRow): Run {
  return {
    id: r.id,
    jobId: r.job_id,
    jobName: r.job_name,
    jobVersion: r.job_version,
    owner: r.owner,
    state: r.state,
    trigger: r.trigger,
    triggerRef: r.trigger_ref,
    requestedBy: r.requested_by,
    overrides: r.overrides,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    message: r.message,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: r.started_at && r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
    nextAttemptAt: iso(r.next_attempt_at),
    timeoutAt: iso(r.timeout_at),
  };
}

export function toAttempt(a: JobRunAttemptRow): Static<typeof Attempt> {
  return {
    attempt: a.attempt,
    name: a.name,
    runtime: a.runtime,
    state: a.state,
    appState: a.app_state,
    sparkApplicationId: a.spark_application_id,
    message: a.message,
    submittedAt: iso(a.submitted_at),
    startedAt: iso(a.started_at),
    finishedAt: iso(a.finished_at),
  };
}

export function toTimelineEntry(e: JobRunEventRow): Static<typeof TimelineEntry> {
  return { at: e.at.toISOString(), state: e.state, attempt: e.attempt, appState: e.app_state, source: e.source, message: e.message };
}

export async function requireRun(db: Executor, id: string): Promise<JobRunRow> {
  const row = await db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`run ${id} does not exist`);
  return row;
}

export async function runWithAttempts(db: Executor, id: string, historyServer?: string) {
  const run = await requireRun(db, id);
  const attempts = await db.selectFrom('job_run_attempts').selectAll().where('run_id', '=', id).orderBy('attempt').execute();
  const current = attempts.find((a) => a.attempt === run.attempts);
  const links: Static<typeof RunLinks> = { logs: `/api/v1/runs/${id}/logs`, timeline: `/api/v1/runs/${id}/timeline` };
  if (current?.ui_url && current.state === 'RUNNING') links.sparkUi = /^https?:\/\//.test(current.ui_url) ? current.ui_url : `http://${current.ui_url}`;
  if (historyServer && current?.spark_application_id) links.sparkHistory = `${historyServer.replace(/\/+$/, '')}/history/${encodeURIComponent(current.spark_application_id)}/`;
  return { ...toRun(run), attemptDetails: attempts.map(toAttempt), links };
}

export async function runTimeline(db: Executor, id: string) {
  await requireRun(db, id);
  const rows = await db.selectFrom('job_run_events').selectAll().where('run_id', '=', id).orderBy('id').execute();
  return { items: rows.map(toTimelineEntry) };
}

export const ListRunsQuery = Type.Object(
  {
    job: Type.Optional(Type.String({ format: 'uuid', description: 'Runs of this job.' })),
    state: Type.Optional(State),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    trigger: Type.Optional(Type.Union([Type.Literal('manual'), Type.Literal('schedule'), Type.Literal('event'), Type.Literal('webhook')])),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after.' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Created before.' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    pageToken: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const RunPage = Type.Object({ items: Type.Array(Run), nextPageToken: Type.Union([Type.String(), Type.Null()]) });

/** Runs, newest first, with filters, of those the caller may see. */
export async function listRuns(db: Executor, query: Static<typeof ListRunsQuery>, visible: RunVisibility) {
  const size = query.pageSize ?? 100;
  const cursor = decodeCursor(query.pageToken);
  let q = db.selectFrom('job_runs').selectAll();
  const owner = visible.owner ?? query.owner;
  if (owner) q = q.where('owner', '=', owner);
  if (query.job) q = q.where('job_id', '=', query.job);
  if (query.state) q = q.where('state', '=', query.state);
  if (query.trigger) q = q.where('trigger', '=', query.trigger);
  if (query.since) q = q.where('created_at', '>=', new Date(query.since));
  if (query.until) q = q.where('created_at', '<', new Date(query.until));
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(size + 1).execute();
  return pageOf(rows, size, toRun);
}

export const JobStats = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  runs: Type.Integer({ description: 'Runs in all.' }),
  byState: Type.Record(Type.String(), Type.Integer()),
  successRate: Type.Union([Type.Number(), Type.Null()], { description: 'SUCCEEDED among finished runs, 0 to 1; null before the first finished run.' }),
  durationMs: Type.Object({ p50: Type.Union([Type.Number(), Type.Null()]), p95: Type.Union([Type.Number(), Type.Null()]) }, { description: 'Of finished runs that started.' }),
  lastOutcomes: Type.Array(Type.Object({ runId: Type.String(), state: State, finishedAt: Time })),
});

/** A job's run statistics, over the runs the caller may see: counts by state, success rate, duration percentiles, the last finished runs. */
export async function jobStats(db: Executor, jobId: string, last: number, visible: RunVisibility): Promise<Static<typeof JobStats>> {
  const runsOfJob = () => {
    const q = db.selectFrom('job_runs').where('job_id', '=', jobId);
    return visible.owner === undefined ? q : q.where('owner', '=', visible.owner);
  };
  const counts = await runsOfJob().select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute();
  const byState: Record<string, number> = {};
  for (const c of counts) byState[c.state] = Number(c.n);
  const runs = Object.values(byState).reduce((a, b) => a + b, 0);
  const finished = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].reduce((a, s) => a + (byState[s] ?? 0), 0);
  const pct = await runsOfJob()
    .select([
      sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at) * 1000)`.as('p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at) * 1000)`.as('p95'),
    ])
    .where('finished_at', 'is not', null)
    .where('started_at', 'is not', null)
    .executeTakeFirstOrThrow();
  const recent = await runsOfJob().select(['id', 'state', 'finished_at']).where('finished_at', 'is not', null).orderBy('finished_at', 'desc').limit(last).execute();
  const round = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));
  return {
    jobId,
    runs,
    byState,
    successRate: finished > 0 ? (byState['SUCCEEDED'] ?? 0) / finished : null,
    durationMs: { p50: round(pct.p50), p95: round(pct.p95) },
    lastOutcomes: recent.map((r) => ({ runId: r.id, state: r.state, finishedAt: iso(r.finished_at) })),
  };
}
