import { sql, type Kysely } from 'kysely';

/**
 * Spark jobs: definitions with every version kept (a run records the version it ran), runs, their attempts (one
 * SparkApplication or local spark-submit each) and the timeline of every state change. Runs and versions outlive a
 * deleted job: history is not rewritten. Status updates carry a sequence (the SparkApplication's resourceVersion,
 * or the local runtime's counter): an attempt keeps the highest it applied, so an older or repeated update changes
 * nothing; timeline rows are unique per delivered event.
 */
const statements = [
  `create table jobs (
    id uuid primary key,
    name text not null,
    owner text not null,
    version integer not null default 1,
    spec jsonb not null,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    created_by text,
    updated_at timestamptz not null default date_trunc('milliseconds', now()),
    updated_by text
  )`,
  `create unique index jobs_name_key on jobs (lower(name))`,
  `create table job_versions (
    job_id uuid not null,
    version integer not null,
    spec jsonb not null,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    created_by text,
    primary key (job_id, version)
  )`,
  `create table job_runs (
    id uuid primary key,
    job_id uuid not null,
    job_name text not null,
    job_version integer not null,
    owner text not null,
    state text not null check (state in ('QUEUED', 'SUBMITTED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')),
    trigger text not null check (trigger in ('manual', 'schedule', 'event', 'webhook')),
    trigger_ref text,
    requested_by text,
    overrides jsonb not null default '{}',
    idempotency_key text,
    attempts integer not null default 0,
    max_attempts integer not null,
    backoff_seconds integer not null,
    next_attempt_at timestamptz,
    timeout_at timestamptz,
    message text,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz not null default date_trunc('milliseconds', now())
  )`,
  `create unique index job_runs_idempotency_key on job_runs (job_id, idempotency_key) where idempotency_key is not null`,
  `create index job_runs_job_idx on job_runs (job_id, created_at desc)`,
  `create index job_runs_created_idx on job_runs (created_at desc, id desc)`,
  `create index job_runs_active_idx on job_runs (state) where state in ('QUEUED', 'SUBMITTED', 'RUNNING')`,
  `create table job_run_attempts (
    run_id uuid not null references job_runs (id) on delete cascade,
    attempt integer not null,
    name text not null,
    runtime text not null,
    state text not null check (state in ('QUEUED', 'SUBMITTED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')),
    app_state text,
    last_sequence bigint not null default 0,
    spark_application_id text,
    message text,
    log_location text,
    ui_url text,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    submitted_at timestamptz,
    started_at timestamptz,
    finished_at timestamptz,
    primary key (run_id, attempt)
  )`,
  `create unique index job_run_attempts_name_key on job_run_attempts (name)`,
  `create table job_run_events (
    id bigserial primary key,
    run_id uuid not null references job_runs (id) on delete cascade,
    attempt integer,
    state text not null,
    app_state text,
    at timestamptz not null default date_trunc('milliseconds', now()),
    source text not null,
    message text,
    event_key text
  )`,
  `create unique index job_run_events_event_key on job_run_events (run_id, event_key) where event_key is not null`,
  `create index job_run_events_run_idx on job_run_events (run_id, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
