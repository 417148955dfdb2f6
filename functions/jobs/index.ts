import { consumer, defineFunction, idempotencyKeySweep, periodic } from '../../shared/http/index.js';
import { JobEvents } from '../../shared/domains/contracts/index.js';
import { applyApplicationStatuses, applyStatusBatch } from '../../shared/domains/jobs/index.js';
import { ResourceEvents } from '../../shared/runtime/index.js';
import { failLostAttempts } from './handlers/lost-attempts.js';
import { superviseRuns } from './handlers/supervisor.js';
import { jobRoutes } from './routes/job-routes.js';
import { runRoutes } from './routes/run-routes.js';

const statusConsumers = (['add', 'update', 'delete'] as const).map((change) =>
  consumer({
    type: ResourceEvents[change].type,
    schema: ResourceEvents[change].schema,
    handle: (ctx, data, event) => applyApplicationStatuses(ctx, [{ change, app: data, event }]),
    // Status reports arrive in bursts (every SparkApplication's every change): one transaction for those waiting.
    handleBatchRecordingKeys: applyStatusBatch,
  }),
);

/** Spark jobs: definitions and their versions, runs (start, cancel), and keeping runs in step with their applications. */
export const jobs = defineFunction({
  name: 'jobs',
  description:
    'Spark job definitions (versioned), runs with retries and timeouts on the local runtime or the Spark Operator, and their status from SparkApplication events.',
  routes: [...jobRoutes, ...runRoutes],
  consumes: [...statusConsumers],
  workers: [
    // At start, before the outbox delivers what an earlier process left (a stopped driver's delete): the local
    // attempts of processes that are gone are failed as lost, saying why; the supervisor checks on every tick.
    async (platform) => {
      const n = await failLostAttempts(platform).catch((err: unknown) => {
        platform.logger.error({ err }, 'failing run attempts lost with an earlier process failed; the supervisor tries again');
        return 0;
      });
      if (n > 0) platform.logger.info({ attempts: n }, 'run attempts lost with an earlier process were failed');
      return async () => {};
    },
  ],
  periodic: [
    // Retries due, timeouts, attempts never submitted.
    periodic('run supervision', superviseRuns, (c) => c.LAKEPLANE_JOBS_SUPERVISE_MS),
    // The Idempotency-Keys runs were started with (scopes jobs/<id>), forgotten a day after they were written.
    idempotencyKeySweep('jobs', (platform) => platform.idempotencyKeys),
  ],
  publishes: Object.values(JobEvents),
});
