import { Type, type Static } from '@sinclair/typebox';
import type { JobRunAttemptRow, JobRunEventRow, JobRunRow } from '../../db/index.js';
import { RUN_STATES } from './run-states.js';

const State = Type.Union(RUN_STATES.map((s) => Type.Literal(s)));
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  name: Type.String({ description: 'The SparkApplication (or local application) of this attempt.' }),
  runtime: Type.String(),
  state: State,
  appState: Type.Union([Type.String(), Type.Null()], { description: "The Spark Operator's application state last reported." }),
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
  sparkUi: Type.Optional(Type.String({ description: "The driver's Spark UI while the current attempt runs." })),
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

/** A run with every attempt, and where to look further (its log, timeline, Spark UI and history server). */
export function runWithAttempts(run: JobRunRow, attempts: readonly JobRunAttemptRow[], historyServer?: string): Static<typeof RunWithAttempts> {
  const current = attempts.find((a) => a.attempt === run.attempts);
  const links: Static<typeof RunLinks> = { logs: `/api/v1/runs/${run.id}/logs`, timeline: `/api/v1/runs/${run.id}/timeline` };
  if (current?.ui_url && current.state === 'RUNNING') links.sparkUi = /^https?:\/\//.test(current.ui_url) ? current.ui_url : `http://${current.ui_url}`;
  if (historyServer && current?.spark_application_id)
    links.sparkHistory = `${historyServer.replace(/\/+$/, '')}/history/${encodeURIComponent(current.spark_application_id)}/`;
  return { ...toRun(run), attemptDetails: attempts.map(toAttempt), links };
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

export const JobStats = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  runs: Type.Integer({ description: 'Runs in all.' }),
  byState: Type.Record(Type.String(), Type.Integer()),
  successRate: Type.Union([Type.Number(), Type.Null()], { description: 'SUCCEEDED among finished runs, 0 to 1; null before the first finished run.' }),
  durationMs: Type.Object(
    { p50: Type.Union([Type.Number(), Type.Null()]), p95: Type.Union([Type.Number(), Type.Null()]) },
    { description: 'Of finished runs that started.' },
  ),
  lastOutcomes: Type.Array(Type.Object({ runId: Type.String(), state: State, finishedAt: Time })),
});
