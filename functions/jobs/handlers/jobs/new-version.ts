import type { JobRow } from '../../../../shared/db/index.js';
import type { JobSpec } from '../../../../shared/domains/jobs/index.js';
import { ConflictError } from '../../../../shared/errors/index.js';
import { ifMatchVersion, json, type OperationContext, type Reply } from '../../../../shared/http/index.js';
import { platformObject } from '../../../../shared/policy/index.js';
import { jobStore, toJob } from '../../store/job-store.js';
import { actorOf, jobRequest } from './access.js';
import { announce } from './announce.js';
import { validateJob } from './validate.js';

/**
 * The job as `spec` says, as a new version, once the caller may make it: PUT's and PATCH's common end, on the job
 * locked in the request's transaction (the caller has checked it may still change it). `owner` is a new owner the
 * caller asked for (already allowed by ownerFor), or undefined to keep the current one. With If-Match, only if
 * nobody changed the job since (409 otherwise, as every versioned resource here answers a stale If-Match).
 * `isUnchanged`, when given and true, writes nothing and answers the job as it is (PATCH, so the same patch twice is one
 * change; PUT has always written a version).
 */
export async function writeNewVersion(
  ctx: OperationContext<unknown, unknown, unknown>,
  current: JobRow,
  spec: JobSpec,
  owner: string | undefined,
  isUnchanged?: () => boolean,
): Promise<Reply> {
  const p = ctx.requirePrincipal();
  // The job as it will be: its owner and the executors the new spec asks. Decided after the owner rule, as it always
  // was, so a member giving their job away hears that only admins do. In the transaction: with the bundle as loaded.
  await ctx.platform.authorizer.authorizeInTransaction(
    p,
    'jobs:job:update',
    platformObject('jobs', current.id),
    jobRequest({ owner: owner ?? current.owner, spec }),
  );
  const expected = ifMatchVersion(ctx.headers['if-match'], 'job');
  validateJob(spec);
  if (expected !== undefined && expected !== current.version) {
    throw new ConflictError(`job ${current.id} is at version ${current.version}, not ${expected}: someone changed it; read it again and retry`);
  }
  if (isUnchanged?.()) return json(200, toJob(current), { etag: `"${current.version}"` });
  const updated = await jobStore(ctx.tx).replace(current.id, spec, owner ?? current.owner, current.version + 1, actorOf(p));
  await announce(ctx, updated, 'update', actorOf(p));
  return json(200, toJob(updated), { etag: `"${updated.version}"` });
}
