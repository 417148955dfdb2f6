import { CompiledQuery } from 'kysely';
import { prepareStatement, type JobRunRow, type RunState, type Tx } from '../../db/index.js';
import { recordedKeysCte, type BatchKeys, type OutboxRowValues } from '../../events/index.js';

/** The columns of an attempt a status report may change. */
export interface AttemptState {
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

/** A timeline entry as a batch writes it. */
export interface TimelineRow {
  run_id: string;
  attempt: number | null;
  state: RunState;
  app_state: string | null;
  source: string;
  message: string | null;
  event_key: string | null;
}

/** An attempt read (and locked) with its run: the run's columns, and the attempt's prefixed a_. */
export type LockedAttemptRow = JobRunRow & {
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

/** An attempt of a run, as status reports name it (by their labels). */
export interface AttemptKey {
  runId: string;
  attemptNo: number;
}

/** What one batch of status reports changed: written in one statement. */
export interface StatusBatchChanges {
  attempts: readonly AttemptState[];
  /** The runs as they are now, of which the columns a report may change are written. */
  runs: readonly JobRunRow[];
  timeline: readonly TimelineRow[];
  outbox: readonly OutboxRowValues[];
}

/**
 * The set-based reads and writes of SparkApplication status reports (run-status.ts), in the caller's transaction: a
 * batch's attempts and runs read and locked in one statement (with the batch's event keys recorded first, or without),
 * and its changes written in one.
 */
export interface RunStatusStore {
  /** The attempts that exist of those asked, each with its run, locked in key order. */
  lockAttempts(pairs: readonly AttemptKey[]): Promise<LockedAttemptRow[]>;
  /** The batch's keys recorded, then its attempts locked, in one statement: the keys that were new, and the attempts. */
  recordKeysAndLockAttempts(keys: BatchKeys, pairs: readonly AttemptKey[]): Promise<{ recordedKeys: Array<[string, string]>; locked: LockedAttemptRow[] }>;
  writeBatch(changes: StatusBatchChanges): Promise<void>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function runStatusStore(tx: Tx): RunStatusStore {
  return {
    async lockAttempts(pairs) {
      const { rows } = await tx.executeQuery<LockedAttemptRow>(
        CompiledQuery.raw(LOCK_ATTEMPTS, [pairs.map((p) => p.runId), JSON.stringify(pairs.map((p) => [p.runId, p.attemptNo]))]),
      );
      return rows;
    },

    async recordKeysAndLockAttempts(keys, pairs) {
      const { rows } = await tx.executeQuery<Partial<LockedAttemptRow> & { recorded_keys: Array<[string, string]> }>(
        CompiledQuery.raw(RECORD_KEYS_AND_LOCK_ATTEMPTS, [
          keys.consumer,
          keys.json,
          pairs.map((p) => p.runId),
          JSON.stringify(pairs.map((p) => [p.runId, p.attemptNo])),
        ]),
      );
      return {
        recordedKeys: rows[0]!.recorded_keys,
        locked: rows.flatMap(({ recorded_keys: _keys, ...row }) => (row.a_attempt == null ? [] : [row as LockedAttemptRow])),
      };
    },

    async writeBatch({ attempts, runs, timeline, outbox }) {
      const runRows = runs.map((r) => ({
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
          JSON.stringify(attempts),
          attempts.map((a) => a.run_id),
          JSON.stringify(runRows),
          runRows.map((r) => r.id),
          JSON.stringify(timeline),
          JSON.stringify(outbox),
        ]),
      );
    },
  };
}
