import { isTerminal, requireRun, runStore } from '../../../../shared/domains/jobs/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import type { Handler } from '../../../../shared/http/index.js';
import type { LogsQuery, RunIdParams } from '../../schemas.js';

/** The end of an attempt's driver log as text; with follow=true the log as it grows, until the attempt has ended. */
export const runLogs: Handler<{ params: typeof RunIdParams; query: typeof LogsQuery }> = async (ctx) => {
  const store = runStore(ctx.db);
  const run = await requireRun(store, ctx.params.id);
  const attemptNo = ctx.query.attempt ?? run.attempts;
  const attempt = await store.attempt(run.id, attemptNo);
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
    const a = await store.attempt(run.id, attemptNo);
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
};
