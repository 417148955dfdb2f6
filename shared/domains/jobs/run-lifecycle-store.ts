import type { Insertable, Updateable } from 'kysely';
import type { Executor, JobRunAttemptsTable, JobRunEventsTable, JobRunRow, JobRunsTable, RunState } from '../../db/index.js';

export type NewRunRow = Insertable<JobRunsTable>;
export type NewAttemptRow = Insertable<JobRunAttemptsTable>;
export type NewTimelineRow = Insertable<JobRunEventsTable>;

/** What a submission reads of an attempt: its state, its run's, and what the SparkApplication is made from. */
export interface AttemptToSubmit {
  attemptState: RunState;
  runState: RunState;
  job_id: string;
  overrides: unknown;
  spec: unknown;
}

/**
 * The writes that move runs (run-lifecycle.ts, run-status.ts, submission.ts), in the caller's transaction: runs and
 * their first attempts made, a run's row changed, attempts ended or marked submitted, timeline entries added.
 */
export interface RunLifecycleStore {
  /** The run, locked for the rest of the transaction; kysely's NoResultError when there is none. */
  lockExisting(id: string): Promise<JobRunRow>;
  /** The run after the change. */
  update(id: string, change: Updateable<JobRunsTable>): Promise<JobRunRow>;
  /** The runs as stored, in no particular order (RETURNING promises none). */
  insertRuns(rows: readonly NewRunRow[]): Promise<JobRunRow[]>;
  insertAttempts(rows: NewAttemptRow | readonly NewAttemptRow[]): Promise<void>;
  /** Ends the attempt if it is still in progress; its name, or undefined when it was not. */
  endAttempt(runId: string, attempt: number, change: { state: RunState; finished_at: Date; message: string | null }): Promise<string | undefined>;
  /** Timeline entries, in the order given. */
  addToTimeline(rows: NewTimelineRow | readonly NewTimelineRow[]): Promise<void>;
  /** The attempt with its run and the job version it runs. */
  attemptToSubmit(runId: string, attempt: number): Promise<AttemptToSubmit | undefined>;
  /** The runtime refused a QUEUED attempt: it fails. Whether it was still QUEUED (and so failed now). */
  failQueuedAttempt(runId: string, attempt: number, message: string): Promise<boolean>;
  /** The runtime took the attempt: when, and where its logs are (the first time only). */
  markSubmitted(runId: string, attempt: number, logLocation: string | null): Promise<void>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function runLifecycleStore(db: Executor): RunLifecycleStore {
  return {
    lockExisting: (id) => db.selectFrom('job_runs').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow(),

    update: (id, change) => db.updateTable('job_runs').set(change).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    insertRuns: (rows) => db.insertInto('job_runs').values(rows).returningAll().execute(),

    async insertAttempts(rows) {
      await db.insertInto('job_run_attempts').values(rows).execute();
    },

    async endAttempt(runId, attempt, change) {
      const ended = await db
        .updateTable('job_run_attempts')
        .set(change)
        .where('run_id', '=', runId)
        .where('attempt', '=', attempt)
        .where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING'])
        .returning('name')
        .executeTakeFirst();
      return ended?.name;
    },

    async addToTimeline(rows) {
      await db.insertInto('job_run_events').values(rows).execute();
    },

    attemptToSubmit: (runId, attempt) =>
      db
        .selectFrom('job_run_attempts as a')
        .innerJoin('job_runs as r', 'r.id', 'a.run_id')
        .innerJoin('job_versions as v', (j) => j.onRef('v.job_id', '=', 'r.job_id').onRef('v.version', '=', 'r.job_version'))
        .select(['a.state as attemptState', 'r.state as runState', 'r.job_id', 'r.overrides', 'v.spec'])
        .where('a.run_id', '=', runId)
        .where('a.attempt', '=', attempt)
        .executeTakeFirst(),

    async failQueuedAttempt(runId, attempt, message) {
      const updated = await db
        .updateTable('job_run_attempts')
        .set({ state: 'FAILED', app_state: 'SUBMISSION_FAILED', message, finished_at: new Date() })
        .where('run_id', '=', runId)
        .where('attempt', '=', attempt)
        .where('state', '=', 'QUEUED')
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    },

    async markSubmitted(runId, attempt, logLocation) {
      await db
        .updateTable('job_run_attempts')
        .set({ submitted_at: new Date(), log_location: logLocation })
        .where('run_id', '=', runId)
        .where('attempt', '=', attempt)
        .where('submitted_at', 'is', null)
        .execute();
    },
  };
}
