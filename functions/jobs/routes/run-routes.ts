import { Run, RunPage } from '../../../shared/domains/jobs/index.js';
import { operation } from '../../../shared/http/index.js';
import { storedJob } from '../handlers/jobs/access.js';
import { runOfJob } from '../handlers/runs/access.js';
import { cancelRun } from '../handlers/runs/cancel.js';
import { listJobRuns } from '../handlers/runs/list.js';
import { startRun } from '../handlers/runs/start.js';
import { triggerRun } from '../handlers/runs/trigger.js';
import { revokeTriggerToken } from '../handlers/trigger-tokens/revoke.js';
import { rotateTriggerToken } from '../handlers/trigger-tokens/rotate.js';
import { CreateRunBody, JobParams, JobRunsQuery, RunParams, TriggerToken } from '../schemas.js';

const base = '/api/v1/jobs';

export const runRoutes = [
  operation({
    method: 'POST',
    path: `${base}/:id/trigger-token`,
    operationId: 'jobs.rotateTriggerToken',
    tags: ['runs'],
    params: JobParams,
    summary: "Make (or replace) the job's trigger token, for CI/CD systems to start runs with POST /api/v1/jobs/{id}/trigger. Shown once.",
    responses: { 201: { description: 'The token', schema: TriggerToken } },
    authorization: { checks: storedJob('jobs:job:update', 'trigger-token') },
    handler: rotateTriggerToken,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id/trigger-token`,
    operationId: 'jobs.revokeTriggerToken',
    tags: ['runs'],
    params: JobParams,
    summary: "Revoke the job's trigger token.",
    responses: { 204: { description: 'Revoked' } },
    authorization: { checks: storedJob('jobs:job:update', 'trigger-token') },
    handler: revokeTriggerToken,
  }),
  operation({
    method: 'POST',
    path: `${base}/:id/trigger`,
    operationId: 'jobs.trigger',
    tags: ['runs'],
    params: JobParams,
    body: CreateRunBody,
    summary: "Start a run with the job's trigger token (Authorization: Bearer lpjt_...), for CI/CD systems. Idempotency-Key as for POST .../runs.",
    responses: {
      201: { description: 'The run, QUEUED', schema: Run },
      200: { description: 'A retry with the same Idempotency-Key', schema: Run },
      401: { description: 'No valid trigger token' },
    },
    authorization: {
      public: "a CI/CD system calls it with the job's trigger token instead of a platform credential; the handler verifies the token before anything else",
    },
    // The run is inserted with its Idempotency-Key (handlers/runs/start-once.ts), after the token was verified.
    mutates: 'in-steps',
    handler: triggerRun,
  }),
  operation({
    method: 'POST',
    path: `${base}/:id/runs`,
    operationId: 'jobs.startRun',
    tags: ['runs'],
    params: JobParams,
    body: CreateRunBody,
    summary: 'Run a job now (its current version), with optional arguments and sparkConf overrides. Idempotency-Key: a retry gets the same run.',
    responses: {
      201: { description: 'The run, QUEUED', schema: Run },
      200: { description: 'A retry with the same Idempotency-Key: the run the first request made', schema: Run },
    },
    authorization: { checks: storedJob('jobs:run:create', 'runs') },
    // The run is inserted with its Idempotency-Key (handlers/runs/start-once.ts), after the overrides were checked.
    mutates: 'in-steps',
    handler: startRun,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/runs`,
    operationId: 'jobs.listJobRuns',
    tags: ['runs'],
    params: JobParams,
    query: JobRunsQuery,
    summary: 'Runs of a job, newest first. Members see their own, as in GET /api/v1/runs.',
    responses: { 200: { description: 'A page of runs', schema: RunPage } },
    authorization: { checks: storedJob('jobs:run:list', 'runs') },
    // A refused read is recorded against the path asked for, as it always was.
    auditResource: ({ params }) => `${base}/${params.id}/runs`,
    handler: listJobRuns,
  }),
  operation({
    method: 'POST',
    path: `${base}/:id/runs/:runId/cancel`,
    operationId: 'jobs.cancelRun',
    tags: ['runs'],
    params: RunParams,
    summary: 'Cancel a run in progress: CANCELLED, and its Spark application stopped. 409 if it already ended.',
    responses: { 200: { description: 'The run, CANCELLED', schema: Run }, 409: { description: 'The run already ended' } },
    authorization: { checks: runOfJob('jobs:run:cancel') },
    handler: cancelRun,
  }),
];
