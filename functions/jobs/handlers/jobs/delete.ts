import { ConflictError, NotFoundError } from '../../../../shared/errors/index.js';
import { ifMatchVersion, noContent, type Handler } from '../../../../shared/http/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';
import { actorOf, stillMay } from './access.js';
import { announce } from './announce.js';

/** Deletes a job; its versions and runs stay as history. Refused (409) while it has runs in progress. */
export const deleteJob: Handler<{ params: typeof JobParams }> = async (ctx) => {
  const { id } = ctx.params;
  const expected = ifMatchVersion(ctx.headers['if-match'], 'job');
  const store = jobStore(ctx.tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`job ${id} does not exist`);
  await stillMay(ctx, 'jobs:job:delete', current);
  if (expected !== undefined && expected !== current.version) throw new ConflictError(`job ${id} is at version ${current.version}, not ${expected}`);
  const active = await store.activeRun(id);
  if (active) throw new ConflictError(`job ${current.name} has a run in progress (${active}): cancel it first`);
  await store.delete(id);
  await announce(ctx, { ...current, version: current.version + 1 }, 'delete', actorOf(ctx.requirePrincipal()));
  return noContent();
};
