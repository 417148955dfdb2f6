import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../../shared/errors/index.js';
import { json, route } from '../../../shared/http/index.js';
import { ListRunsQuery, Run, RunPage, listRuns, requireRun, runsVisibleTo } from '../../../shared/domains/jobs/index.js';
import { authorizeJob, authorizeRun, jobOf } from '../handlers/job-access.js';
import { requireJob } from '../handlers/jobs.js';
import { cancelRun, startRun } from '../handlers/runs.js';
import { checkTriggerToken, revokeTriggerToken, rotateTriggerToken } from '../handlers/trigger-tokens.js';
import { CreateRunBody, JobParams, RunParams } from '../schemas.js';

const base = '/api/v1/jobs';

const TriggerToken = Type.Object({ token: Type.String({ description: 'Shown once: keep it in your CI system\'s secrets.' }), createdAt: Type.String({ format: 'date-time' }) });

export const runRoutes = [
  route({
    method: 'POST', path: `${base}/:id/trigger-token`, operationId: 'jobs.rotateTriggerToken', tags: ['runs'], auth: 'required', params: JobParams,
    summary: 'Make (or replace) the job\'s trigger token, for CI/CD systems to start runs with POST /api/v1/jobs/{id}/trigger. Shown once.',
    responses: { 201: { description: 'The token', schema: TriggerToken } },
    handler: async (ctx) => {
      const job = await requireJob(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `jobs/${job.id}/trigger-token`;
      await authorizeJob(ctx, 'job:update', ctx.auditResource, jobOf(job));
      return json(201, await rotateTriggerToken(ctx.platform, job.id));
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id/trigger-token`, operationId: 'jobs.revokeTriggerToken', tags: ['runs'], auth: 'required', params: JobParams,
    summary: 'Revoke the job\'s trigger token.', responses: { 204: { description: 'Revoked' } },
    handler: async (ctx) => {
      const job = await requireJob(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `jobs/${job.id}/trigger-token`;
      await authorizeJob(ctx, 'job:update', ctx.auditResource, jobOf(job));
      await revokeTriggerToken(ctx.platform, job.id);
      return { status: 204 };
    },
  }),
  route({
    method: 'POST', path: `${base}/:id/trigger`, operationId: 'jobs.trigger', tags: ['runs'], auth: 'public', params: JobParams, body: CreateRunBody,
    summary: 'Start a run with the job\'s trigger token (Authorization: Bearer lpjt_...), for CI/CD systems. Idempotency-Key as for POST .../runs.',
    responses: { 201: { description: 'The run, QUEUED', schema: Run }, 200: { description: 'A retry with the same Idempotency-Key', schema: Run }, 401: { description: 'No valid trigger token' } },
    handler: async (ctx) => {
      const job = checkTriggerToken(await ctx.platform.store.db.selectFrom('jobs').selectAll().where('id', '=', ctx.params.id).executeTakeFirst(), ctx.headers['authorization']);
      ctx.auditResource = `jobs/${job.id}/runs`;
      const header = ctx.headers['idempotency-key'];
      const { run, replayed } = await startRun(ctx.platform, job, ctx.body.overrides ?? {}, 'trigger-token', Array.isArray(header) ? header[0] : header, 'webhook');
      ctx.auditResource = `jobs/${job.id}/runs/${run.id}`;
      return json(replayed ? 200 : 201, run, { location: `/api/v1/runs/${run.id}`, ...(replayed ? { 'idempotency-replayed': 'true' } : {}) });
    },
  }),
  route({
    method: 'POST', path: `${base}/:id/runs`, operationId: 'jobs.startRun', tags: ['runs'], auth: 'required', params: JobParams, body: CreateRunBody,
    summary: 'Run a job now (its current version), with optional arguments and sparkConf overrides. Idempotency-Key: a retry gets the same run.',
    responses: { 201: { description: 'The run, QUEUED', schema: Run }, 200: { description: 'A retry with the same Idempotency-Key: the run the first request made', schema: Run } },
    handler: async (ctx) => {
      const job = await requireJob(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `jobs/${job.id}/runs`;
      await authorizeJob(ctx, 'run:create', ctx.auditResource, jobOf(job));
      const p = ctx.requirePrincipal();
      const header = ctx.headers['idempotency-key'];
      const { run, replayed } = await startRun(ctx.platform, job, ctx.body.overrides ?? {}, `${p.kind}:${p.name}`, Array.isArray(header) ? header[0] : header);
      ctx.auditResource = `jobs/${job.id}/runs/${run.id}`;
      return json(replayed ? 200 : 201, run, { location: `/api/v1/runs/${run.id}`, ...(replayed ? { 'idempotency-replayed': 'true' } : {}) });
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/runs`, operationId: 'jobs.listJobRuns', tags: ['runs'], auth: 'required', params: JobParams, query: Type.Omit(ListRunsQuery, ['job']),
    summary: 'Runs of a job, newest first. Members see their own, as in GET /api/v1/runs.', responses: { 200: { description: 'A page of runs', schema: RunPage } },
    handler: async (ctx) => {
      const job = await requireJob(ctx.platform.store.db, ctx.params.id);
      await authorizeJob(ctx, 'run:list', `jobs/${job.id}/runs`, jobOf(job));
      return json(200, await listRuns(ctx.platform.store.db, { ...ctx.query, job: job.id }, runsVisibleTo(ctx.requirePrincipal())));
    },
  }),
  route({
    method: 'POST', path: `${base}/:id/runs/:runId/cancel`, operationId: 'jobs.cancelRun', tags: ['runs'], auth: 'required', params: RunParams,
    summary: 'Cancel a run in progress: CANCELLED, and its Spark application stopped. 409 if it already ended.',
    responses: { 200: { description: 'The run, CANCELLED', schema: Run }, 409: { description: 'The run already ended' } },
    handler: async (ctx) => {
      const run = await requireRun(ctx.platform.store.db, ctx.params.runId);
      ctx.auditResource = `jobs/${run.job_id}/runs/${run.id}`;
      if (run.job_id !== ctx.params.id) throw new NotFoundError(`run ${run.id} is not a run of job ${ctx.params.id}`);
      await authorizeRun(ctx, 'cancel', run);
      const p = ctx.requirePrincipal();
      return json(200, await cancelRun(ctx.platform, run.id, `${p.kind}:${p.name}`));
    },
  }),
];
