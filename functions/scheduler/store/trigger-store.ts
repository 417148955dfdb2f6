import type { Executor, JobRow } from '../../../shared/db/index.js';

/** What a table commit's triggers read (handlers/table-triggers.ts): the jobs that follow commits, and their runs in progress. */
export interface TriggerStore {
  /** Every job with a trigger on catalog table commits (which tables it matches, the caller decides). */
  jobsTriggeredByTableCommits(): Promise<JobRow[]>;
  /** A run of the job in progress, if there is one. */
  activeRun(jobId: string): Promise<string | undefined>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function triggerStore(db: Executor): TriggerStore {
  return {
    jobsTriggeredByTableCommits: () =>
      db
        .selectFrom('jobs')
        .selectAll()
        .where((eb) => eb('spec', '@>', JSON.stringify({ triggers: [{ on: 'catalog.table.committed' }] }) as never))
        .execute(),

    async activeRun(jobId) {
      const active = await db
        .selectFrom('job_runs')
        .select('id')
        .where('job_id', '=', jobId)
        .where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING'])
        .limit(1)
        .executeTakeFirst();
      return active?.id;
    },
  };
}
