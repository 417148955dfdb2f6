import { Type } from '@sinclair/typebox';
import { JobSpec, ListRunsQuery, RunOverrides } from '../../shared/domains/jobs/index.js';

export const JobParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const RunParams = Type.Object({ id: Type.String({ format: 'uuid' }), runId: Type.String({ format: 'uuid' }) });

export const Job = Type.Composite([
  Type.Omit(JobSpec, ['owner']),
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    owner: Type.String(),
    version: Type.Integer({ description: 'Bumped by every change; a run records the version it ran.' }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.Union([Type.String(), Type.Null()]),
    updatedAt: Type.String({ format: 'date-time' }),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  }),
]);

/**
 * PATCH's body: a JSON merge patch (RFC 7396) of the job's definition. Only its field names are checked here; what
 * the merge makes of the stored definition is validated as PUT's body is (JobSpec), so the two cannot drift.
 */
export const JobPatch = Type.Object(
  Object.fromEntries(
    Object.entries(JobSpec.properties).map(([name, schema]) => [
      name,
      Type.Optional(
        Type.Unknown({
          description: `The job's ${name}, as in PUT's body${schema.type === 'object' ? ', merged into the stored one field by field' : ''}; null removes it (back to its default, if it has one).`,
        }),
      ),
    ]),
  ),
  {
    additionalProperties: false,
    description:
      "A JSON merge patch (RFC 7396) of the job's definition: the fields given replace the stored ones, objects merge field by field, null removes a field, the rest stays.",
  },
);

export const JobPage = Type.Object({ items: Type.Array(Job), nextPageToken: Type.Union([Type.String(), Type.Null()]) });

export const ListJobsQuery = Type.Object(
  {
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    type: Type.Optional(Type.Union([Type.Literal('python'), Type.Literal('scala'), Type.Literal('java')])),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 48, description: 'Part of the name, any case.' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    pageToken: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const JobVersions = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      createdAt: Type.String({ format: 'date-time' }),
      createdBy: Type.Union([Type.String(), Type.Null()]),
      spec: JobSpec,
    }),
  ),
});

export const CreateRunBody = Type.Object({ overrides: Type.Optional(RunOverrides) }, { additionalProperties: false });

/** A job's runs: GET /api/v1/runs's filters but the job, which the path names. */
export const JobRunsQuery = Type.Omit(ListRunsQuery, ['job']);

export const TriggerToken = Type.Object({
  token: Type.String({ description: "Shown once: keep it in your CI system's secrets." }),
  createdAt: Type.String({ format: 'date-time' }),
});
