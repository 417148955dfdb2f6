import type { JobSpec } from '../../../../shared/domains/jobs/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import type { Handler } from '../../../../shared/http/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';
import { ownerFor, stillMay } from './access.js';
import { writeNewVersion } from './new-version.js';

/** Replaces a job: a new version (runs keep the version they ran); with If-Match, only if nobody changed it since. */
export const replaceJob: Handler<{ params: typeof JobParams; body: typeof JobSpec }> = async (ctx) => {
  const p = ctx.requirePrincipal();
  const { id } = ctx.params;
  const owner = ctx.body.owner === undefined ? undefined : ownerFor(p, ctx.body.owner);
  const current = await jobStore(ctx.tx).lock(id);
  if (!current) throw new NotFoundError(`job ${id} does not exist`);
  await stillMay(ctx, 'jobs:job:update', current);
  return writeNewVersion(ctx, current, ctx.body, owner);
};
