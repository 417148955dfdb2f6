import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Executor, JobRunAttemptRow, JobRunEventRow, JobRunRow } from '../../db/index.js';
import { NotFoundError } from '../../errors/index.js';
import { decodeCursor, pageOf } from '../../http/index.js';
import { toRun, type JobStats, type ListRunsQuery, type Run } from './run-views.js';
import type { RunVisibility } from './run-visibility.js';

/** The runs of jobs as the jobs and history routes read them: a run, its attempts and timeline, listings, statistics. */
export interface RunStore {
  find(id: string): Promise<JobRunRow | undefined>;
  /** The run, locked for the rest of the transaction. */
  lock(id: string): Promise<JobRunRow | undefined>;
  /** Every attempt of a run, first first. */
  attempts(runId: string): Promise<JobRunAttemptRow[]>;
  attempt(runId: string, attempt: number): Promise<Pick<JobRunAttemptRow, 'name' | 'state'> | undefined>;
  /** Every state change of a run, oldest first. */
  timeline(runId: string): Promise<JobRunEventRow[]>;
  /** Runs, newest first, with filters, of those the caller may see. */
  list(query: Static<typeof ListRunsQuery>, visible: RunVisibility): Promise<{ items: Run[]; nextPageToken: string | null }>;
  /** A job's run statistics, over the runs the caller may see. */
  stats(jobId: string, last: number, visible: RunVisibility): Promise<Static<typeof JobStats>>;
  /** Who owns a job's runs: the job's owner, or once the job is deleted the owner its runs recorded. */
  jobOwner(jobId: string): Promise<string | undefined>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The PostgreSQL store (PGlite runs the same SQL). */
export function runStore(db: Executor): RunStore {
  return {
    find: (id) => db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst(),
    lock: (id) => db.selectFrom('job_runs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
    attempts: (runId) => db.selectFrom('job_run_attempts').selectAll().where('run_id', '=', runId).orderBy('attempt').execute(),
    attempt: (runId, attempt) =>
      db.selectFrom('job_run_attempts').select(['name', 'state']).where('run_id', '=', runId).where('attempt', '=', attempt).executeTakeFirst(),
    timeline: (runId) => db.selectFrom('job_run_events').selectAll().where('run_id', '=', runId).orderBy('id').execute(),

    async list(query, visible) {
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
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(size + 1)
        .execute();
      return pageOf(rows, size, toRun);
    },

    async stats(jobId, last, visible) {
      const runsOfJob = () => {
        const q = db.selectFrom('job_runs').where('job_id', '=', jobId);
        return visible.owner === undefined ? q : q.where('owner', '=', visible.owner);
      };
      const counts = await runsOfJob()
        .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy('state')
        .execute();
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
      const recent = await runsOfJob()
        .select(['id', 'state', 'finished_at'])
        .where('finished_at', 'is not', null)
        .orderBy('finished_at', 'desc')
        .limit(last)
        .execute();
      const round = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));
      return {
        jobId,
        runs,
        byState,
        successRate: finished > 0 ? (byState['SUCCEEDED'] ?? 0) / finished : null,
        durationMs: { p50: round(pct.p50), p95: round(pct.p95) },
        lastOutcomes: recent.map((r) => ({ runId: r.id, state: r.state, finishedAt: iso(r.finished_at) })),
      };
    },

    async jobOwner(jobId) {
      const job = await db.selectFrom('jobs').select('owner').where('id', '=', jobId).executeTakeFirst();
      return job?.owner ?? (await db.selectFrom('job_runs').select('owner').where('job_id', '=', jobId).limit(1).executeTakeFirst())?.owner;
    },
  };
}

export async function requireRun(store: RunStore, id: string): Promise<JobRunRow> {
  const row = await store.find(id);
  if (!row) throw new NotFoundError(`run ${id} does not exist`);
  return row;
}
