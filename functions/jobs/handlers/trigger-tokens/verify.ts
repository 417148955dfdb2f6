import { hashSecret, safeEqual } from '../../../../shared/auth/index.js';
import type { JobRow } from '../../../../shared/db/index.js';
import { UnauthenticatedError } from '../../../../shared/errors/index.js';

/** The Authorization: Bearer <token> of a trigger call, checked against the job's (a wrong or missing one is 401). */
export function verifyTriggerToken(job: JobRow | undefined, header: string | string[] | undefined): JobRow {
  const value = Array.isArray(header) ? header[0] : header;
  const token = value?.startsWith('Bearer ') ? value.slice(7).trim() : undefined;
  if (!job || !token || !job.trigger_token_hash || !safeEqual(hashSecret(token), job.trigger_token_hash)) {
    throw new UnauthenticatedError('a valid trigger token of this job is required (Authorization: Bearer lpjt_...)');
  }
  return job;
}
