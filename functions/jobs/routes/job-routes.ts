import { ifMatchVersion, json, noContent, route, type RequestContext } from '../../../shared/http/index.js';
import { ForbiddenError } from '../../../shared/errors/index.js';
import { JobSpec } from '../../../shared/domains/jobs/index.js';
import { authorizeJob, jobOf, ownerFilter } from '../handlers/job-access.js';
import { createJob, deleteJob, jobVersions, listJobs, replaceJob, requireJob, toJob } from '../handlers/jobs.js';
import { Job, JobPage, JobParams, JobVersions, ListJobsQuery } from '../schemas.js';

const base = '/api/v1/jobs';
const actorOf = (ctx: RequestContext<unknown, unknown, unknown>) => {
  const p = ctx.requirePrincipal();
  return `${p.kind}:${p.name}`;
};

/** Only an admin gives a job to someone else. */
function ownerFor(ctx: RequestContext<unknown, unknown, unknown>, asked: string | undefined): string {
  const p = ctx.requirePrincipal();
  if (asked !== undefined && asked !== p.name && !p.isAdmin) throw new ForbiddenError(`only admins create or give jobs owned by someone else (owner ${asked})`);
  return asked ?? p.name;
}

export const jobRoutes = [
  route({
    method: 'POST', path: base, operationId: 'jobs.createJob', tags: ['jobs'], auth: 'required', body: JobSpec,
    summary: 'Define a Spark job (version 1).', responses: { 201: { description: 'Created', schema: Job }, 409: { description: 'A job of that name exists' } },
    handler: async (ctx) => {
      ctx.auditResource = `jobs/${ctx.body.name}`;
      const owner = ownerFor(ctx, ctx.body.owner);
      await authorizeJob(ctx, 'job:create', ctx.auditResource, { owner, spec: ctx.body });
      const job = await createJob(ctx.platform, ctx.body, owner, actorOf(ctx));
      ctx.auditResource = `jobs/${job.id}`;
      return json(201, job, { location: `${base}/${job.id}`, etag: `"${job.version}"` });
    },
  }),
  route({
    method: 'GET', path: base, operationId: 'jobs.listJobs', tags: ['jobs'], auth: 'required', query: ListJobsQuery,
    summary: 'List jobs (oldest first), by owner, tag, type or part of the name. Members see their own.', responses: { 200: { description: 'A page of jobs', schema: JobPage } },
    handler: async (ctx) => {
      await authorizeJob(ctx, 'job:list', 'jobs', undefined);
      return json(200, await listJobs(ctx.platform.store.db, ctx.query, ownerFilter(ctx)));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'jobs.getJob', tags: ['jobs'], auth: 'required', params: JobParams,
    summary: 'Read a job.', responses: { 200: { description: 'The job', schema: Job } },
    handler: async (ctx) => {
      const row = await requireJob(ctx.platform.store.db, ctx.params.id);
      await authorizeJob(ctx, 'job:read', `jobs/${row.id}`, jobOf(row));
      return json(200, toJob(row), { etag: `"${row.version}"` });
    },
  }),
  route({
    method: 'PUT', path: `${base}/:id`, operationId: 'jobs.replaceJob', tags: ['jobs'], auth: 'required', params: JobParams, body: JobSpec,
    summary: 'Replace a job: a new version (runs keep the version they ran). With If-Match: "<version>", only if nobody changed it since (409 otherwise).',
    responses: { 200: { description: 'The job after the change', schema: Job }, 409: { description: 'Stale If-Match, or the name is taken' } },
    handler: async (ctx) => {
      ctx.auditResource = `jobs/${ctx.params.id}`;
      const current = await requireJob(ctx.platform.store.db, ctx.params.id);
      await authorizeJob(ctx, 'job:update', ctx.auditResource, jobOf(current));
      const owner = ctx.body.owner === undefined ? undefined : ownerFor(ctx, ctx.body.owner);
      await authorizeJob(ctx, 'job:update', ctx.auditResource, { owner: owner ?? current.owner, spec: ctx.body });
      const job = await replaceJob(ctx.platform, ctx.params.id, ctx.body, owner, ifMatchVersion(ctx.headers['if-match'], 'job'), actorOf(ctx), (locked) => {
        if (locked.owner !== current.owner) throw new ForbiddenError(`job ${locked.name} changed owner meanwhile; read it again`);
      });
      return json(200, job, { etag: `"${job.version}"` });
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id`, operationId: 'jobs.deleteJob', tags: ['jobs'], auth: 'required', params: JobParams,
    summary: 'Delete a job (409 while a run is in progress). Its versions and runs stay in the history.', responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = `jobs/${ctx.params.id}`;
      const current = await requireJob(ctx.platform.store.db, ctx.params.id);
      await authorizeJob(ctx, 'job:delete', ctx.auditResource, jobOf(current));
      await deleteJob(ctx.platform, ctx.params.id, ifMatchVersion(ctx.headers['if-match'], 'job'), actorOf(ctx), (locked) => {
        if (locked.owner !== current.owner) throw new ForbiddenError(`job ${locked.name} changed owner meanwhile; read it again`);
      });
      return noContent();
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/versions`, operationId: 'jobs.jobVersions', tags: ['jobs'], auth: 'required', params: JobParams,
    summary: 'Every version of a job, newest first.', responses: { 200: { description: 'The versions', schema: JobVersions } },
    handler: async (ctx) => {
      const row = await requireJob(ctx.platform.store.db, ctx.params.id);
      await authorizeJob(ctx, 'job:read', `jobs/${row.id}`, jobOf(row));
      return json(200, await jobVersions(ctx.platform.store.db, ctx.params.id));
    },
  }),
];
