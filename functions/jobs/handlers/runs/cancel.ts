import { endRun, runStore, toRun } from '../../../../shared/domains/jobs/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { RunParams } from '../../schemas.js';

/** Cancels a run in progress: CANCELLED at once in the store; its application is stopped once that committed. */
export const cancelRun: Handler<{ params: typeof RunParams }> = async (ctx) => {
  const p = ctx.requirePrincipal();
  const { runId } = ctx.params;
  const locked = await runStore(ctx.tx).lock(runId);
  if (!locked) throw new NotFoundError(`run ${runId} does not exist`);
  const { run, attemptName } = await endRun(ctx.tx, ctx.platform, locked, 'CANCELLED', {
    attempt: locked.attempts,
    source: 'api',
    message: `cancelled by ${p.kind}:${p.name}`,
  });
  ctx.afterCommit(() =>
    ctx.platform.runtime.cancel(attemptName).catch((err: unknown) => ctx.platform.logger.error({ err, runId }, 'stopping a cancelled run failed')),
  );
  return json(200, toRun(run));
};
