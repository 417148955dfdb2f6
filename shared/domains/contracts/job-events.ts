import { Type } from '@sinclair/typebox';
import { defineEventType } from '../../events/index.js';

const RunEvent = Type.Object({
  runId: Type.String({ format: 'uuid' }),
  jobId: Type.String({ format: 'uuid' }),
  jobName: Type.String(),
  jobVersion: Type.Integer(),
  state: Type.String(),
  previousState: Type.Union([Type.String(), Type.Null()]),
  attempt: Type.Integer(),
  trigger: Type.String(),
  message: Type.Union([Type.String(), Type.Null()]),
});

const JobEvent = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.Integer(),
  change: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  actor: Type.Optional(Type.String()),
});

export const JobEvents = {
  jobChanged: defineEventType('io.lakeplane.jobs.job.changed.v1', 'A job definition was created, replaced (a new version) or deleted.', JobEvent),
  runStateChanged: defineEventType(
    'io.lakeplane.jobs.run.state-changed.v1',
    'A run moved to another state (QUEUED, SUBMITTED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT).',
    RunEvent,
  ),
} as const;
