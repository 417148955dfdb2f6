import { Type } from '@sinclair/typebox';
import { JobStats, ListRunsQuery, RunPage, RunWithAttempts, TimelineEntry } from '../../../shared/domains/jobs/index.js';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { readableJobRuns, readableRun } from '../handlers/runs/access.js';
import { listRuns } from '../handlers/runs/list.js';
import { runLogs } from '../handlers/runs/logs.js';
import { readRun } from '../handlers/runs/read.js';
import { jobStats } from '../handlers/runs/stats.js';
import { runTimeline } from '../handlers/runs/timeline.js';
import { LogsQuery, RunIdParams, StatsQuery } from '../schemas.js';

const base = '/api/v1/runs';

// A refused read is recorded against the path asked for, as it always was.
export const runHistoryRoutes = [
  operation({
    method: 'GET',
    path: `${base}/stats`,
    operationId: 'history.jobStats',
    tags: ['history'],
    query: StatsQuery,
    summary: "A job's run statistics: runs by state, success rate, duration p50/p95, the last finished runs.",
    responses: { 200: { description: 'The statistics', schema: JobStats } },
    authorization: { checks: readableJobRuns },
    auditResource: () => `${base}/stats`,
    handler: jobStats,
  }),
  operation({
    method: 'GET',
    path: base,
    operationId: 'history.listRuns',
    tags: ['history'],
    query: ListRunsQuery,
    summary: 'Runs, newest first, by job, state, owner, trigger and time range. Members see their own.',
    responses: { 200: { description: 'A page of runs', schema: RunPage } },
    authorization: { action: 'jobs:run:list', resource: () => platformObject('runs') },
    auditResource: () => base,
    handler: listRuns,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'history.getRun',
    tags: ['history'],
    params: RunIdParams,
    summary: 'A run with every attempt.',
    responses: { 200: { description: 'The run', schema: RunWithAttempts } },
    authorization: { checks: readableRun },
    auditResource: ({ params }) => `${base}/${params.id}`,
    handler: readRun,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/timeline`,
    operationId: 'history.runTimeline',
    tags: ['history'],
    params: RunIdParams,
    summary: 'Every state change of a run, oldest first, with its time, attempt, the Spark application state and its source.',
    responses: { 200: { description: 'The timeline', schema: Type.Object({ items: Type.Array(TimelineEntry) }) } },
    authorization: { checks: readableRun },
    auditResource: ({ params }) => `${base}/${params.id}/timeline`,
    handler: runTimeline,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/logs`,
    operationId: 'history.runLogs',
    tags: ['history'],
    params: RunIdParams,
    query: LogsQuery,
    summary: "The end of an attempt's driver log, as text; with follow=true the log as it grows, until the attempt has ended.",
    responses: {
      200: {
        description:
          "The log's last lines (text/plain); with follow=true a chunked text/plain stream that ends when the attempt has ended and its log is complete",
        contentType: 'text/plain',
        schema: Type.String(),
      },
      404: { description: 'No such run or attempt, or no log (yet) for that attempt' },
    },
    authorization: { checks: readableRun },
    auditResource: ({ params }) => `${base}/${params.id}/logs`,
    handler: runLogs,
  }),
];
