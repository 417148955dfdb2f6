import { createHash } from 'node:crypto';
import { isUniqueViolation, type JobRow } from '../../../shared/db/index.js';
import { BadRequestError, ConflictError, ValidationError } from '../../../shared/errors/index.js';
import { overrideProblems, requireRun, toRun, type RunOverrides, endRun, insertRun, submitInBackground } from '../../../shared/domains/jobs/index.js';
import type { Platform } from '../../../shared/platform/index.js';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Starts a manual run. With an Idempotency-Key, a retry of the same request gets the run the first one made (replayed:
 * true), and the key reused with other overrides is a 409; the (job, key) pair is unique in the store, so concurrent
 * retries make one run.
 */
export async function startRun(platform: Platform, job: JobRow, overrides: RunOverrides, requestedBy: string, idempotencyKey: string | undefined, trigger: 'manual' | 'webhook' = 'manual') {
  const problems = overrideProblems(overrides);
  if (problems.length > 0) throw new ValidationError(problems);
  if (idempotencyKey !== undefined && !KEY.test(idempotencyKey)) throw new BadRequestError('Idempotency-Key must be 1 to 200 letters, digits or ._:-');
  platform.runtime.ensureAvailable();
  const fingerprint = createHash('sha256').update(JSON.stringify(overrides)).digest('hex');
  const key = idempotencyKey !== undefined ? `${idempotencyKey}#${fingerprint}` : undefined;
  const replay = async () => {
    if (idempotencyKey === undefined) return undefined;
    const earlier = await platform.store.db.selectFrom('job_runs').selectAll().where('job_id', '=', job.id).where('idempotency_key', 'like', `${idempotencyKey.replace(/[\\%_]/g, (c) => `\\${c}`)}#%`).executeTakeFirst();
    if (!earlier) return undefined;
    if (earlier.idempotency_key !== key) throw new ConflictError(`Idempotency-Key ${idempotencyKey} was used for a run of this job with other overrides (run ${earlier.id})`);
    return { run: toRun(earlier), replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const run = await platform.store.db.transaction().execute((tx) => insertRun(tx, platform, job, { trigger, requestedBy, overrides, idempotencyKey: key }));
    submitInBackground(platform, run.id, 1);
    return { run: toRun(run), replayed: false };
  } catch (err) {
    if (isUniqueViolation(err)) {
      const raced = await replay();
      if (raced) return raced;
    }
    throw err;
  }
}

/** Cancels a run in progress: CANCELLED at once in the store, then its application is stopped. */
export async function cancelRun(platform: Platform, runId: string, by: string) {
  const { run, attemptName } = await platform.store.db.transaction().execute(async (tx) => {
    const locked = await requireRun(tx, runId);
    const row = await tx.selectFrom('job_runs').selectAll().where('id', '=', locked.id).forUpdate().executeTakeFirstOrThrow();
    return endRun(tx, platform, row, 'CANCELLED', { attempt: row.attempts, source: 'api', message: `cancelled by ${by}` });
  });
  await platform.runtime.cancel(attemptName).catch((err: unknown) => platform.logger.error({ err, runId }, 'stopping a cancelled run failed'));
  return toRun(run);
}
