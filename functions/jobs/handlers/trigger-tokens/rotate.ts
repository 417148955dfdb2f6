import { SECRET_PREFIX, hashSecret, newSecret } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { JobParams } from '../../schemas.js';
import { jobStore } from '../../store/job-store.js';

/** Makes (or replaces) a job's trigger token; the secret is answered once and only its hash is kept. */
export const rotateTriggerToken: Handler<{ params: typeof JobParams }> = async (ctx) => {
  const token = newSecret(SECRET_PREFIX.jobTriggerToken);
  const createdAt = new Date();
  await jobStore(ctx.tx).setTriggerToken(ctx.params.id, { hash: hashSecret(token), createdAt });
  return json(201, { token, createdAt: createdAt.toISOString() });
};
