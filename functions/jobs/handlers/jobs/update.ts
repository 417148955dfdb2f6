import { isDeepStrictEqual } from 'node:util';
import { JobSpec } from '../../../../shared/domains/jobs/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import type { Handler } from '../../../../shared/http/index.js';
import { applyMergePatch } from '../../../../shared/json/index.js';
import { compileValidator } from '../../../../shared/schema/index.js';
import type { JobParams, JobPatch } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';
import { ownerFor, stillMay } from './access.js';
import { writeNewVersion } from './new-version.js';

/** The same validator PUT's body goes through (defaults filled in, each problem naming its field). */
const jobSpec = compileValidator(JobSpec, 'body');

/**
 * Changes a job by a JSON merge patch (RFC 7396) of its stored definition: what the patch leaves out stays as it is
 * (PUT resets it to its default). The result is validated as PUT's body is and becomes a new version, on the same
 * terms as PUT (If-Match, the owner rule, the control policies); a patch that changes nothing writes no version.
 */
export const updateJob: Handler<{ params: typeof JobParams; body: typeof JobPatch }> = async (ctx) => {
  const p = ctx.requirePrincipal();
  const { id } = ctx.params;
  const current = await jobStore(ctx.tx).lock(id);
  if (!current) throw new NotFoundError(`job ${id} does not exist`);
  await stillMay(ctx, 'jobs:job:update', current);
  // The stored definition has no owner (a column of its own): one the patch gives is a new owner, as in PUT's body.
  const stored = current.spec as unknown as JobSpec;
  const spec = jobSpec.parse(structuredClone(applyMergePatch(stored, ctx.body)));
  const owner = spec.owner === undefined ? undefined : ownerFor(p, spec.owner);
  const { owner: _owner, ...definition } = spec;
  return writeNewVersion(ctx, current, spec, owner, () => (owner ?? current.owner) === current.owner && isDeepStrictEqual(definition, stored));
};
