import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';

export const jobVersions: Handler<{ params: typeof JobParams }> = async (ctx) => {
  const items = await jobStore(ctx.db).versions(ctx.params.id);
  if (items.length === 0) throw new NotFoundError(`job ${ctx.params.id} does not exist and never did`);
  return json(200, { items });
};
