import { SECRET_PREFIX, hashSecret, newSecret, safeEqual } from '../../../shared/auth/index.js';
import { UnauthenticatedError } from '../../../shared/errors/index.js';
import type { JobRow } from '../../../shared/db/index.js';
import type { Platform } from '../../../shared/platform/index.js';

/** Makes (or replaces) a job's trigger token; the secret is returned once and only its hash is kept. */
export async function rotateTriggerToken(platform: Platform, jobId: string): Promise<{ token: string; createdAt: string }> {
  const token = newSecret(SECRET_PREFIX.jobTriggerToken);
  const now = new Date();
  await platform.store.db.updateTable('jobs').set({ trigger_token_hash: hashSecret(token), trigger_token_created_at: now }).where('id', '=', jobId).execute();
  return { token, createdAt: now.toISOString() };
}

export async function revokeTriggerToken(platform: Platform, jobId: string): Promise<void> {
  await platform.store.db.updateTable('jobs').set({ trigger_token_hash: null, trigger_token_created_at: null }).where('id', '=', jobId).execute();
}

/** The Authorization: Bearer <token> of a trigger call, checked against the job's (a wrong or missing one is 401). */
export function checkTriggerToken(job: JobRow | undefined, header: string | string[] | undefined): JobRow {
  const value = Array.isArray(header) ? header[0] : header;
  const token = value?.startsWith('Bearer ') ? value.slice(7).trim() : undefined;
  if (!job || !token || !job.trigger_token_hash || !safeEqual(hashSecret(token), job.trigger_token_hash)) {
    throw new UnauthenticatedError('a valid trigger token of this job is required (Authorization: Bearer lpjt_...)');
  }
  return job;
}
