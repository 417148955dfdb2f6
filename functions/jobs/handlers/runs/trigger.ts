import { type Handler } from '../../../../shared/http/index.js';
import type { CreateRunBody, JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';
import { verifyTriggerToken } from '../trigger-tokens/verify.js';
import { startRunOnce } from './start-once.js';

/** Runs a job for a CI system holding its trigger token: the token is checked before anything else, a retry's key too. */
export const triggerRun: Handler<{ params: typeof JobParams; body: typeof CreateRunBody }> = async (ctx) => {
  const job = verifyTriggerToken(await jobStore(ctx.db).find(ctx.params.id), ctx.headers['authorization']);
  ctx.auditResource = `jobs/${job.id}/runs`;
  return startRunOnce(ctx, job, { requestedBy: 'trigger-token', principal: 'trigger-token', trigger: 'webhook' });
};
