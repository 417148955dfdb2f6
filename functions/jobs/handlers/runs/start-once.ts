import { createHash } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { JobRow } from '../../../../shared/db/index.js';
import {
  insertRun,
  overrideProblems,
  requireRun,
  runStore,
  submitInBackground,
  toRun,
  type Run,
  type RunOverrides,
} from '../../../../shared/domains/jobs/index.js';
import { ConflictError, ValidationError } from '../../../../shared/errors/index.js';
import {
  idempotentRequest,
  json,
  REPLAYED_HEADER,
  runOnce,
  type IdempotencyDeclaration,
  type OperationContext,
  type Reply,
} from '../../../../shared/http/index.js';
import { RawJson } from '../../../../shared/json/index.js';
import type { CreateRunBody } from '../../schemas.js';

/** The run a kept answer names: the run itself as answered, or {"id": ...} for keys carried over by migration 0022. */
const runIdOf = (kept: Reply): string => (JSON.parse(kept.body instanceof RawJson ? kept.body.text : JSON.stringify(kept.body)) as { id: string }).id;

const location = (runId: string) => `/api/v1/runs/${runId}`;

/**
 * The Idempotency-Key of a request that starts a run (shared/http/idempotency.ts): keys are a job's own (scope
 * jobs/<job id>), and a key stands for the overrides it came with (their SHA-256); a retry gets the run the first
 * request made, as it is now, and the key sent with other overrides is a 409.
 */
export const runIdempotency: IdempotencyDeclaration<{ jobId: string; overrides: RunOverrides }> = {
  scope: ({ jobId }) => `jobs/${jobId}`,
  operation: ({ overrides }) => `startRun ${createHash('sha256').update(JSON.stringify(overrides)).digest('hex')}`,
  key: { pattern: /^[A-Za-z0-9._:-]{1,200}$/, message: () => 'Idempotency-Key must be 1 to 200 letters, digits or ._:-' },
  reused: (key, _operation, earlier) =>
    new ConflictError(`Idempotency-Key ${key} was used for a run of this job with other overrides (run ${runIdOf(earlier)})`),
  keepsRefusals: false,
  async replay(kept, db) {
    const run = await requireRun(runStore(db), runIdOf(kept));
    return json(200, toRun(run), { location: location(run.id), [REPLAYED_HEADER]: 'true' });
  },
};

type StartContext = OperationContext<Record<string, unknown>, Record<string, unknown>, Static<typeof CreateRunBody>>;

/**
 * Starts a run of the job's current version (QUEUED, its first attempt), handed to the runtime once it committed.
 * With an Idempotency-Key, a retry of the same request gets the run the first one made (200, idempotency-replayed),
 * the key with other overrides is a 409, and concurrent retries make one run: the key is written with the run.
 *
 * The routes that start runs use the key here rather than declaring it: what was answered before a retry was looked
 * up (the trigger token, the overrides' own rules) still is, and the audit trail names the run a replay answers.
 */
export async function startRunOnce(
  ctx: StartContext,
  job: JobRow,
  by: { requestedBy: string; principal: string; trigger: 'manual' | 'webhook' },
): Promise<Reply> {
  const overrides = ctx.body.overrides ?? {};
  const problems = overrideProblems(overrides);
  if (problems.length > 0) throw new ValidationError(problems);
  const keyed = idempotentRequest(runIdempotency, ctx.headers['idempotency-key'], { jobId: job.id, overrides }, by.principal);
  ctx.platform.runtime.ensureAvailable();
  const reply = await runOnce(
    ctx.platform.store.db,
    runIdempotency,
    keyed,
    'problem',
    (transact) =>
      transact(async (tx) => {
        const run = await insertRun(tx, ctx.platform, job, { trigger: by.trigger, requestedBy: by.requestedBy, overrides });
        return json(201, toRun(run), { location: location(run.id) });
      }),
    { input: { jobId: job.id, overrides }, context: ctx },
  );
  const run = reply.body as Run;
  if (reply.status === 201) ctx.afterCommit(() => submitInBackground(ctx.platform, run.id, 1));
  ctx.auditResource = `jobs/${job.id}/runs/${run.id}`;
  return reply;
}
