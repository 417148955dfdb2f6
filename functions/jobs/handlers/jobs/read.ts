import { json, type Handler } from '../../../../shared/http/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore, toJob } from '../../store/job-store.js';
import { requireJob } from './access.js';

export const readJob: Handler<{ params: typeof JobParams }> = async (ctx) => {
  const row = await requireJob(jobStore(ctx.db), ctx.params.id);
  return json(200, toJob(row), { etag: `"${row.version}"` });
};
