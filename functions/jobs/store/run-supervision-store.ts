import { sql } from 'kysely';
import type { Executor, JobRunRow } from '../../../shared/db/index.js';

/**
 * What the run supervisor (handlers/supervisor.ts) looks for: runs past their timeout, retries due, attempts the
 * runtime never confirmed, attempts in flight on the local runtime (lost ones among them); and each run it acts on,
 * claimed so that another replica passes it by. At most 100 of each a pass.
 */
export interface RunSupervisionStore {
  /** Runs in progress whose timeout is at or before `now`. */
  overdue(now: Date): Promise<string[]>;
  /** QUEUED runs whose next attempt is due at `now`. */
  retriesDue(now: Date): Promise<string[]>;
  /** The run, locked for the rest of the transaction; undefined when it is not there or another transaction holds it (SKIP LOCKED). */
  claim(id: string): Promise<JobRunRow | undefined>;
  /**
   * The current QUEUED attempts of runs not started yet that were made, and not confirmed submitted (or submitted and
   * never heard of), at or before `before`.
   */
  unconfirmedAttempts(before: Date): Promise<Array<{ run_id: string; attempt: number }>>;
  /**
   * The current attempts of runs in progress that the local runtime was handed (submitted, or reported submitted or
   * running): each is supervised by a process, or was lost with the one that ran it. Oldest first.
   */
  localAttemptsInFlight(): Promise<Array<{ run_id: string; attempt: number; name: string; last_sequence: string }>>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function runSupervisionStore(db: Executor): RunSupervisionStore {
  return {
    async overdue(now) {
      const rows = await db
        .selectFrom('job_runs')
        .select('id')
        .where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING'])
        .where('timeout_at', '<=', now)
        .limit(100)
        .execute();
      return rows.map((r) => r.id);
    },

    async retriesDue(now) {
      const rows = await db.selectFrom('job_runs').select('id').where('state', '=', 'QUEUED').where('next_attempt_at', '<=', now).limit(100).execute();
      return rows.map((r) => r.id);
    },

    claim: (id) => db.selectFrom('job_runs').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst(),

    unconfirmedAttempts: (before) =>
      db
        .selectFrom('job_run_attempts as a')
        .innerJoin('job_runs as r', 'r.id', 'a.run_id')
        .select(['a.run_id', 'a.attempt'])
        .where('a.state', '=', 'QUEUED')
        .where('r.state', 'in', ['QUEUED', 'SUBMITTED'])
        .where(sql<boolean>`r.attempts = a.attempt`)
        .where('a.created_at', '<=', before)
        .where((eb) => eb.or([eb('a.submitted_at', 'is', null), eb('a.submitted_at', '<=', before)]))
        .limit(100)
        .execute(),

    localAttemptsInFlight: () =>
      db
        .selectFrom('job_run_attempts as a')
        .innerJoin('job_runs as r', 'r.id', 'a.run_id')
        .select(['a.run_id', 'a.attempt', 'a.name', 'a.last_sequence'])
        .where('a.runtime', '=', 'local')
        .where('r.state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING'])
        .where(sql<boolean>`r.attempts = a.attempt`)
        .where((eb) => eb.or([eb('a.state', 'in', ['SUBMITTED', 'RUNNING']), eb.and([eb('a.state', '=', 'QUEUED'), eb('a.submitted_at', 'is not', null)])]))
        .orderBy('a.created_at')
        .limit(100)
        .execute(),
  };
}
