import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../../shared/errors/index.js';
import { json, route, type RequestContext } from '../../../shared/http/index.js';
import { JobStats, ListRunsQuery, RunPage, RunWithAttempts, TimelineEntry, jobStats, listRuns, requireRun, runTimeline, runWithAttempts, runsVisibleTo } from '../../../shared/domains/jobs/index.js';
import type { JobRunRow } from '../../../shared/db/index.js';
import { isTerminal, MAX_ATTEMPTS } from '../../../shared/domains/jobs/index.js';

const base = '/api/v1/runs';
const RunIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const LogsQuery = Type.Object(
  {
    // A run has at most MAX_ATTEMPTS attempts; a larger number used to reach PostgreSQL's integer column and fail there.
    attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ATTEMPTS, description: 'Default: the latest attempt.' })),
    tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1000, description: 'Last lines to return.' })),
    follow: Type.Optional(Type.Boolean({ description: 'Stream the log as it grows (chunked text/plain, from the last `tail` lines on) until the attempt has ended and its log is complete; then the answer ends. `curl -N` shows it as it comes.' })),
  },
  { additionalProperties: false },
);

type Ctx = RequestContext<unknown, unknown, unknown>;

async function mayRead(ctx: Ctx, run: JobRunRow): Promise<void> {
  await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'jobs:run:read', `jobs/${run.job_id}/runs/${run.id}`, { owner: run.owner });
}

const StatsQuery = Type.Object({ job: Type.String({ format: 'uuid' }), last: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) }, { additionalProperties: false });

export const runHistoryRoutes = [
  route({
    method: 'GET', path: `${base}/stats`, operationId: 'history.jobStats', tags: ['history'], auth: 'required', query: StatsQuery,
    summary: 'A job\'s run statistics: runs by state, success rate, duration p50/p95, the last finished runs.', responses: { 200: { description: 'The statistics', schema: JobStats } },
    handler: async (ctx) => {
      const job = await ctx.platform.store.db.selectFrom('jobs').select(['id', 'owner']).where('id', '=', ctx.query.job).executeTakeFirst();
      const owner = job?.owner ?? (await ctx.platform.store.db.selectFrom('job_runs').select('owner').where('job_id', '=', ctx.query.job).limit(1).executeTakeFirst())?.owner;
      if (owner === undefined) throw new NotFoundError(`job ${ctx.query.job} has no runs and does not exist`);
      const p = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(p, 'jobs:run:read', `jobs/${ctx.query.job}/runs`, { owner });
      return json(200, await jobStats(ctx.platform.store.db, ctx.query.job, ctx.query.last ?? 10, runsVisibleTo(p)));
    },
  }),
  route({
    method: 'GET', path: base, operationId: 'history.listRuns', tags: ['history'], auth: 'required', query: ListRunsQuery,
    summary: 'Runs, newest first, by job, state, owner, trigger and time range. Members see their own.', responses: { 200: { description: 'A page of runs', schema: RunPage } },
    handler: async (ctx) => {
      const p = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(p, 'jobs:run:list', 'runs');
      return json(200, await listRuns(ctx.platform.store.db, ctx.query, runsVisibleTo(p)));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'history.getRun', tags: ['history'], auth: 'required', params: RunIdParams,
    summary: 'A run with every attempt.', responses: { 200: { description: 'The run', schema: RunWithAttempts } },
    handler: async (ctx) => {
      await mayRead(ctx, await requireRun(ctx.platform.store.db, ctx.params.id));
      return json(200, await runWithAttempts(ctx.platform.store.db, ctx.params.id, ctx.platform.config.LAKEPLANE_SPARK_HISTORY_URL));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/timeline`, operationId: 'history.runTimeline', tags: ['history'], auth: 'required', params: RunIdParams,
    summary: 'Every state change of a run, oldest first, with its time, attempt, the Spark application state and its source.',
    responses: { 200: { description: 'The timeline', schema: Type.Object({ items: Type.Array(TimelineEntry) }) } },
    handler: async (ctx) => {
      await mayRead(ctx, await requireRun(ctx.platform.store.db, ctx.params.id));
      return json(200, await runTimeline(ctx.platform.store.db, ctx.params.id));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/logs`, operationId: 'history.runLogs', tags: ['history'], auth: 'required', params: RunIdParams, query: LogsQuery,
    summary: 'The end of an attempt\'s driver log, as text; with follow=true the log as it grows, until the attempt has ended.',
    responses: {
      200: { description: 'The log\'s last lines (text/plain); with follow=true a chunked text/plain stream that ends when the attempt has ended and its log is complete', contentType: 'text/plain', schema: Type.String() },
      404: { description: 'No such run or attempt, or no log (yet) for that attempt' },
    },
    handler: async (ctx) => {
      const db = ctx.platform.store.db;
      const run = await requireRun(db, ctx.params.id);
      await mayRead(ctx, run);
      const attemptNo = ctx.query.attempt ?? run.attempts;
      const attempt = await db.selectFrom('job_run_attempts').select('name').where('run_id', '=', run.id).where('attempt', '=', attemptNo).executeTakeFirst();
      if (!attempt) throw new NotFoundError(`run ${run.id} has no attempt ${attemptNo}`);
      const tailLines = ctx.query.tail ?? 1000;
      const noLog = () => new NotFoundError(`attempt ${attemptNo} of run ${run.id} has no log (yet)`);
      if (!ctx.query.follow) {
        const text = await ctx.platform.runtime.logs(attempt.name, { tailLines });
        if (text === undefined) throw noLog();
        return { status: 200, body: text, contentType: 'text/plain; charset=utf-8' };
      }
      // The follower is opened before the answer starts, so a missing log is still a 404; the stream owns it after.
      const own = new AbortController();
      const ended = async () => {
        const a = await db.selectFrom('job_run_attempts').select('state').where('run_id', '=', run.id).where('attempt', '=', attemptNo).executeTakeFirst();
        return !a || isTerminal(a.state);
      };
      const log = await ctx.platform.runtime.followLogs(attempt.name, { tailLines, signal: own.signal, ended });
      if (!log) throw noLog();
      return {
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        stream: async (write, signal) => {
          const stop = () => own.abort();
          if (signal.aborted) stop();
          signal.addEventListener('abort', stop, { once: true });
          try {
            for await (const chunk of log) {
              if (signal.aborted) break;
              await write(chunk);
            }
          } catch (err) {
            if (!signal.aborted) throw err;
          } finally {
            signal.removeEventListener('abort', stop);
            own.abort();
          }
        },
      };
    },
  }),
];
