import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';

export const revokeTriggerToken: Handler<{ params: typeof JobParams }> = async (ctx) => {
  await jobStore(ctx.tx).setTriggerToken(ctx.params.id, null);
  return noContent();
};
