import type { JobSpec } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { jobStore, toJob } from '../../store/job-store.js';
import { actorOf, ownerFor } from './access.js';
import { announce } from './announce.js';
import { validateJob } from './validate.js';

export const createJob: Handler<{ body: typeof JobSpec }> = async (ctx) => {
  const p = ctx.requirePrincipal();
  validateJob(ctx.body);
  const row = await jobStore(ctx.tx).create(ctx.body, ownerFor(p, ctx.body.owner), actorOf(p));
  await announce(ctx, row, 'create', actorOf(p));
  ctx.auditResource = `jobs/${row.id}`;
  return json(201, toJob(row), { location: `/api/v1/jobs/${row.id}`, etag: `"${row.version}"` });
};
