import type { JobSpec } from '../../../../shared/domains/jobs/index.js';
import { ConflictError, NotFoundError } from '../../../../shared/errors/index.js';
import { ifMatchVersion, json, type Handler } from '../../../../shared/http/index.js';
import { platformObject } from '../../../../shared/policy/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore, toJob } from '../../store/job-store.js';
import { actorOf, jobRequest, ownerFor, stillMay } from './access.js';
import { announce } from './announce.js';
import { validateJob } from './validate.js';

/** Replaces a job: a new version (runs keep the version they ran); with If-Match, only if nobody changed it since. */
export const replaceJob: Handler<{ params: typeof JobParams; body: typeof JobSpec }> = async (ctx) => {
  const p = ctx.requirePrincipal();
  const { id } = ctx.params;
  const owner = ctx.body.owner === undefined ? undefined : ownerFor(p, ctx.body.owner);
  const store = jobStore(ctx.tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`job ${id} does not exist`);
  await stillMay(ctx, 'jobs:job:update', current);
  // The job as it will be: its owner and the executors the new spec asks. Decided after the owner rule above, as it
  // always was, so a member giving their job away hears that only admins do.
  await ctx.platform.authorizer.authorize(p, 'jobs:job:update', platformObject('jobs', id), jobRequest({ owner: owner ?? current.owner, spec: ctx.body }));
  const expected = ifMatchVersion(ctx.headers['if-match'], 'job');
  validateJob(ctx.body);
  if (expected !== undefined && expected !== current.version) {
    throw new ConflictError(`job ${id} is at version ${current.version}, not ${expected}: someone changed it; read it again and retry`);
  }
  const updated = await store.replace(id, ctx.body, owner ?? current.owner, current.version + 1, actorOf(p));
  await announce(ctx, updated, 'update', actorOf(p));
  return json(200, toJob(updated), { etag: `"${updated.version}"` });
};
