import { sql } from 'kysely';
import type { Executor, JobRow, JobRunRow } from '../../../shared/db/index.js';
import { ACTIVE_STATES, type JobSpec } from '../../../shared/domains/jobs/index.js';

/** A scheduled job as a tick reads it: its schedule only, and the last slot dealt with (null before the first). */
export interface ScheduledJob {
  id: string;
  updated_at: Date;
  schedule: JobSpec['schedule'];
  /** As the driver gives an aggregate's timestamp. */
  last_slot: Date | string | null;
}

/** A slot dealt with: the run it started, or why it started none. */
export interface SlotRow {
  job_id: string;
  slot: Date;
  outcome: 'started' | 'skipped' | 'missed';
  run_id: string | null;
  reason: string | null;
}

/**
 * The scheduler tick's reads and writes (handlers/tick.ts): the schedules, the jobs claimed for a tick, the slots
 * already dealt with and those dealt with now. Slots are keyed (job, slot), so each is recorded once.
 */
export interface ScheduleStore {
  /** Every job with an unpaused schedule. */
  schedules(): Promise<ScheduledJob[]>;
  /** Those of the jobs no other transaction holds, locked for the rest of this one (SKIP LOCKED), in id order. */
  claim(ids: readonly string[]): Promise<JobRow[]>;
  /** Which of these (job, slot) pairs were already dealt with. */
  slotsDealtWith(pairs: ReadonlyArray<{ jobId: string; slot: Date }>): Promise<Array<{ job_id: string; slot: Date }>>;
  /** The runs in progress of these jobs, locked, in id order. */
  lockActiveRuns(jobIds: readonly string[]): Promise<JobRunRow[]>;
  /** A run as it is stored now. */
  run(id: string): Promise<JobRunRow>;
  /** Records the slots; those another tick recorded first are passed by. What was recorded. */
  recordSlots(rows: readonly SlotRow[]): Promise<Array<Pick<SlotRow, 'outcome' | 'run_id'>>>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function scheduleStore(db: Executor): ScheduleStore {
  return {
    schedules: () =>
      db
        .selectFrom('jobs as j')
        // Only the schedule of each job: the specs whole would be most of the tick's time with 10,000 jobs.
        .select(['j.id', 'j.updated_at', sql<JobSpec['schedule']>`j.spec -> 'schedule'`.as('schedule')])
        .select((eb) =>
          eb
            .selectFrom('job_schedule_slots as s')
            .select((e) => e.fn.max('s.slot').as('last'))
            .whereRef('s.job_id', '=', 'j.id')
            .as('last_slot'),
        )
        .where(sql<boolean>`j.spec -> 'schedule' is not null and coalesce((j.spec -> 'schedule' ->> 'paused')::boolean, false) = false`)
        .execute(),

    claim: (ids) => db.selectFrom('jobs').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().skipLocked().execute(),

    async slotsDealtWith(pairs) {
      if (pairs.length === 0) return [];
      const keys = pairs.map(({ jobId, slot }) => sql`(${jobId}::uuid, ${slot.toISOString()}::timestamptz)`);
      return db
        .selectFrom('job_schedule_slots')
        .select(['job_id', 'slot'])
        .where(sql<boolean>`(job_id, slot) in (${sql.join(keys)})`)
        .execute();
    },

    lockActiveRuns: (jobIds) =>
      db.selectFrom('job_runs').selectAll().where('job_id', 'in', jobIds).where('state', 'in', ACTIVE_STATES).orderBy('id').forUpdate().execute(),

    run: (id) => db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),

    recordSlots: (rows) =>
      db
        .insertInto('job_schedule_slots')
        .values(rows)
        .onConflict((oc) => oc.columns(['job_id', 'slot']).doNothing())
        .returning(['outcome', 'run_id'])
        .execute(),
  };
}
