import { JobSpec } from '../../../shared/domains/jobs/index.js';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { newJob, storedJob } from '../handlers/jobs/access.js';
import { createJob } from '../handlers/jobs/create.js';
import { deleteJob } from '../handlers/jobs/delete.js';
import { listJobs } from '../handlers/jobs/list.js';
import { readJob } from '../handlers/jobs/read.js';
import { replaceJob } from '../handlers/jobs/replace.js';
import { updateJob } from '../handlers/jobs/update.js';
import { jobVersions } from '../handlers/jobs/versions.js';
import { Job, JobPage, JobParams, JobPatch, JobVersions, ListJobsQuery } from '../schemas.js';

const base = '/api/v1/jobs';
const job = ({ params }: { params: { id: string } }) => `jobs/${params.id}`;

// A refused read is recorded against the path asked for, as it always was; a change against the job.
export const jobRoutes = [
  operation({
    method: 'POST',
    path: base,
    operationId: 'jobs.createJob',
    tags: ['jobs'],
    body: JobSpec,
    summary: 'Define a Spark job (version 1).',
    responses: { 201: { description: 'Created', schema: Job }, 409: { description: 'A job of that name exists' } },
    authorization: { checks: newJob },
    auditResource: ({ body }) => `jobs/${body.name}`,
    handler: createJob,
  }),
  operation({
    method: 'GET',
    path: base,
    operationId: 'jobs.listJobs',
    tags: ['jobs'],
    query: ListJobsQuery,
    summary: 'List jobs (oldest first), by owner, tag, type or part of the name. Members see their own.',
    responses: { 200: { description: 'A page of jobs', schema: JobPage } },
    authorization: { action: 'jobs:job:list', resource: () => platformObject('jobs') },
    auditResource: () => base,
    handler: listJobs,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'jobs.getJob',
    tags: ['jobs'],
    params: JobParams,
    summary: 'Read a job.',
    responses: { 200: { description: 'The job', schema: Job } },
    authorization: { checks: storedJob('jobs:job:read') },
    auditResource: ({ params }) => `${base}/${params.id}`,
    handler: readJob,
  }),
  operation({
    method: 'PUT',
    path: `${base}/:id`,
    operationId: 'jobs.replaceJob',
    tags: ['jobs'],
    params: JobParams,
    body: JobSpec,
    summary: 'Replace a job: a new version (runs keep the version they ran). With If-Match: "<version>", only if nobody changed it since (409 otherwise).',
    responses: { 200: { description: 'The job after the change', schema: Job }, 409: { description: 'Stale If-Match, or the name is taken' } },
    authorization: { checks: storedJob('jobs:job:update') },
    auditResource: job,
    handler: replaceJob,
  }),
  operation({
    method: 'PATCH',
    path: `${base}/:id`,
    operationId: 'jobs.updateJob',
    tags: ['jobs'],
    params: JobParams,
    body: JobPatch,
    bodyMediaTypes: ['application/merge-patch+json', 'application/json'],
    summary:
      'Change a job by a JSON merge patch (RFC 7396): the fields given replace the stored ones (objects merge field by field, null removes one), the rest stays; the result is validated as PUT\'s body. A new version, unless nothing changed. With If-Match: "<version>", only if nobody changed it since (409 otherwise).',
    responses: { 200: { description: 'The job after the change', schema: Job }, 409: { description: 'Stale If-Match, or the name is taken' } },
    authorization: { checks: storedJob('jobs:job:update') },
    auditResource: job,
    auditDetail: ({ body }) => `fields: ${Object.keys(body).join(', ')}`,
    handler: updateJob,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id`,
    operationId: 'jobs.deleteJob',
    tags: ['jobs'],
    params: JobParams,
    summary: 'Delete a job (409 while a run is in progress). Its versions and runs stay in the history.',
    responses: { 204: { description: 'Deleted' } },
    authorization: { checks: storedJob('jobs:job:delete') },
    auditResource: job,
    handler: deleteJob,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/versions`,
    operationId: 'jobs.jobVersions',
    tags: ['jobs'],
    params: JobParams,
    summary: 'Every version of a job, newest first.',
    responses: { 200: { description: 'The versions', schema: JobVersions } },
    authorization: { checks: storedJob('jobs:job:read') },
    auditResource: ({ params }) => `${base}/${params.id}/versions`,
    handler: jobVersions,
  }),
];
