import { Type } from '@sinclair/typebox';
import { ACCESS_TYPES, DataPolicyInput, MASK_TYPES } from '../../shared/policy/index.js';

/** Request and response schemas of the policies function; types, validation and the OpenAPI document come from them. */
const Id = Type.String({ format: 'uuid', description: 'Identifier (UUID)' });
const Timestamp = Type.String({ format: 'date-time' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const DataPolicy = Type.Intersect([
  DataPolicyInput,
  Type.Object({
    id: Id,
    version: Type.Integer({ description: 'Bumped by every change; send it back in If-Match to replace or delete.' }),
    createdAt: Timestamp,
    createdBy: Type.Union([Type.String(), Type.Null()]),
    updatedAt: Timestamp,
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  }),
]);

export const ListPoliciesQuery = Type.Object(
  {
    type: Type.Optional(Type.Union([Type.Literal('access'), Type.Literal('masking'), Type.Literal('row-filter')])),
    name: Type.Optional(Type.String({ maxLength: 255, description: 'Only policies whose name contains this (case-insensitive).' })),
    label: Type.Optional(Type.String({ maxLength: 128, description: 'Only policies carrying this label.' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    pageToken: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const PolicyPage = Type.Object({ items: Type.Array(DataPolicy), nextPageToken: Type.Union([Type.String(), Type.Null()]), policySetVersion: Type.Integer() });

export const PolicyHistoryEntry = Type.Object({
  version: Type.Integer(),
  change: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  policySetVersion: Type.Integer({ description: 'The version of the whole set this change made.' }),
  changedAt: Timestamp,
  changedBy: Type.Union([Type.String(), Type.Null()]),
  policy: DataPolicyInput,
});
export const PolicyHistory = Type.Object({ items: Type.Array(PolicyHistoryEntry) });

// The catalog's own bounds on what these name (a level or object name, a column's full name, the namespace depth):
// a decision can be logged with its input, so nothing here is unbounded.
const ObjectName = Type.String({ minLength: 1, maxLength: 255 });
const DecideResource = Type.Object(
  {
    warehouse: Type.Optional({ ...ObjectName, description: 'Required for catalog objects; left out for a storage path (url).' }),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'A storage path (s3://bucket/dir/file), alone: may the principal read or write files there (create an external table at a location, read files directly). Normalized (scheme lower-cased, segments decoded, . and .. resolved) before matching.' })),
    namespace: Type.Optional(Type.Array(ObjectName, { minItems: 1, maxItems: 16 })),
    table: Type.Optional(ObjectName),
    column: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    columns: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: 2000, description: 'A table read: the columns whose masks to report (default: the columns masking policies name).' })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'Catalog tags of the object; when absent they are looked up.' })),
  },
  { additionalProperties: false, description: 'A catalog object (warehouse, namespace, table, column) or a storage path (url).' },
);

const SubjectName = Type.String({ maxLength: 256 });
const DecideSubject = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 256 }),
    groups: Type.Array(SubjectName, { default: [], maxItems: 1000 }),
    roles: Type.Array(SubjectName, { default: [], maxItems: 1000 }),
  },
  { additionalProperties: false, description: 'Whom to decide for; default: the caller. Deciding for someone else is an admin\'s right.' },
);

const AccessTime = Type.String({ format: 'date-time', description: 'When the access happens, for validity schedules (RFC 3339); default: now.' });

export const DecideRequest = Type.Object(
  {
    principal: Type.Optional(DecideSubject),
    accessTime: Type.Optional(AccessTime),
    access: Type.Union([...ACCESS_TYPES.filter((a) => a !== 'all').map((a) => Type.Literal(a)), Type.Literal('any')], { description: '`any`: may the principal see the resource at all. read and write are asked of storage paths (url), the others of catalog objects.' }),
    resource: DecideResource,
  },
  { additionalProperties: false },
);

export const DecideBatchRequest = Type.Object(
  {
    principal: Type.Optional(DecideSubject),
    accessTime: Type.Optional(AccessTime),
    requests: Type.Array(Type.Object({ access: DecideRequest.properties.access, resource: DecideResource }, { additionalProperties: false }), { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);

const MaskAnswer = Type.Object({
  column: Type.String(),
  type: Type.Union(MASK_TYPES.filter((m) => m !== 'MASK_NONE').map((m) => Type.Literal(m))),
  expression: Type.Optional(Type.String()),
  policyId: Id,
});

export const Decision = Type.Object({
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  policyId: Type.Union([Id, Type.Null()], { description: 'The deciding policy; null when none matched (default deny).' }),
  policyName: Type.Union([Type.String(), Type.Null()]),
  policyVersion: Type.Union([Type.Integer(), Type.Null()]),
  policySetVersion: Type.Integer(),
  audit: Type.Boolean({ description: 'Whether an audit-enabled policy covered the request (Ranger\'s audit determination); false when none matched.' }),
  accessTime: Type.String({ format: 'date-time', description: 'The access time the policies were read at.' }),
  url: Type.Optional(Type.String({ description: 'A storage-path request: the path as normalized and matched.' })),
  masks: Type.Array(MaskAnswer, { description: 'select on a table or column: the masks on its columns for this principal.' }),
  rowFilter: Type.Union([Type.Object({ filter: Type.String(), policyId: Id }), Type.Null()], { description: 'select on a table: the row filter for this principal.' }),
});
export const DecisionBatch = Type.Object({ decisions: Type.Array(Decision) });
