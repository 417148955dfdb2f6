import { Type } from '@sinclair/typebox';
import { ACCESS_TYPES, DataPolicyInput, MASK_TYPES, TagAttributes } from '../../shared/policy/index.js';

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

export const PolicyPage = Type.Object({
  items: Type.Array(DataPolicy),
  nextPageToken: Type.Union([Type.String(), Type.Null()]),
  policySetVersion: Type.Integer(),
});

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
    url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          'A storage path (s3://bucket/dir/file), alone: may the principal read or write files there (create an external table at a location, read files directly). Normalized (scheme lower-cased, segments decoded, . and .. resolved) before matching.',
      }),
    ),
    namespace: Type.Optional(Type.Array(ObjectName, { minItems: 1, maxItems: 16 })),
    table: Type.Optional(ObjectName),
    column: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    columns: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
        maxItems: 2000,
        description: 'A table read: the columns whose masks to report (default: the columns masking policies name).',
      }),
    ),
    tags: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 100,
        description: 'Catalog tags of the object; when absent they are looked up, with their attributes.',
      }),
    ),
    tagAttributes: Type.Optional({
      ...TagAttributes,
      description:
        'With tags only: the attributes of those tags, by tag name (e.g. {"EXPIRES_ON": {"expiry_date": "2027/12/31"}}), as the catalog keeps them. A tag given without attributes has none: nothing is looked up for it.',
    }),
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
  { additionalProperties: false, description: "Whom to decide for; default: the caller. Deciding for someone else is an admin's right." },
);

const AccessTime = Type.String({
  format: 'date-time',
  description: 'When the access happens, for validity schedules, access-time conditions and tag expiry dates (RFC 3339); default: now.',
});

export const DecideRequest = Type.Object(
  {
    principal: Type.Optional(DecideSubject),
    accessTime: Type.Optional(AccessTime),
    access: Type.Union([...ACCESS_TYPES.filter((a) => a !== 'all').map((a) => Type.Literal(a)), Type.Literal('any')], {
      description: '`any`: may the principal see the resource at all. read and write are asked of storage paths (url), the others of catalog objects.',
    }),
    resource: DecideResource,
  },
  { additionalProperties: false },
);

export const DecideBatchRequest = Type.Object(
  {
    principal: Type.Optional(DecideSubject),
    accessTime: Type.Optional(AccessTime),
    requests: Type.Array(Type.Object({ access: DecideRequest.properties.access, resource: DecideResource }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1000,
    }),
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
  audit: Type.Boolean({ description: "Whether an audit-enabled policy covered the request (Ranger's audit determination); false when none matched." }),
  accessTime: Type.String({ format: 'date-time', description: 'The access time the policies were read at.' }),
  url: Type.Optional(Type.String({ description: 'A storage-path request: the path as normalized and matched.' })),
  masks: Type.Array(MaskAnswer, { description: 'select on a table or column: the masks on its columns for this principal.' }),
  rowFilter: Type.Union([Type.Object({ filter: Type.String(), policyId: Id }), Type.Null()], {
    description: 'select on a table: the row filter for this principal.',
  }),
});
export const DecisionBatch = Type.Object({ decisions: Type.Array(Decision) });

// The decision log.

export const DecisionLogQuery = Type.Object(
  {
    principal: Type.Optional(Type.String({ maxLength: 512, description: 'kind:name, e.g. user:ada' })),
    kind: Type.Optional(Type.Union([Type.Literal('data'), Type.Literal('control')])),
    allowed: Type.Optional(Type.Boolean()),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    // A row id, at most 18 digits: a bigserial never gets near, and 19 could pass int8's 2^63 - 1 (a 500 in PostgreSQL).
    pageToken: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextPageToken of the previous page' })),
  },
  { additionalProperties: false },
);

export const DecisionLogEntry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String(),
  principal: Type.String(),
  action: Type.String(),
  resource: Type.String(),
  allowed: Type.Boolean(),
  policyId: Type.Union([Type.String(), Type.Null()]),
  policyVersion: Type.Union([Type.Integer(), Type.Null()]),
  setVersion: Type.Integer({ description: "data: the policy set's version; control: the control version (bundle activation) in force." }),
  input: Type.Unknown(),
  result: Type.Unknown(),
});

// Control policy bundles.

const BundleId = Type.String({ format: 'uuid' });
export const BundleParams = Type.Object({ id: BundleId });
export const Bundle = Type.Object({
  id: BundleId,
  version: Type.Integer(),
  digest: Type.String(),
  revision: Type.String(),
  description: Type.String(),
  uploadedAt: Type.String({ format: 'date-time' }),
  uploadedBy: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
});
export const InForce = Type.Object({
  active: Type.String({ description: 'The bundle id in force, or "shipped".' }),
  controlVersion: Type.Integer(),
  kind: Type.Union([Type.Literal('activate'), Type.Literal('rollback')]),
});
export const UploadBundleBody = Type.Object(
  {
    bundle: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 8_000_000,
        description:
          'An OPA bundle (tar.gz with policy.wasm, .manifest, data.json), base64. Build: opa build -t wasm -e lakeplane/control/allow -e lakeplane/control/reasons DIR',
      }),
    ),
    rego: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1_000_000, description: 'Rego source to compile on the server (needs an opa binary there; 422 otherwise).' }),
    ),
    data: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'With rego: the data document (data.json).' })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const ControlDecideBody = Type.Object(
  {
    principal: Type.Object(
      {
        kind: Type.Union([Type.Literal('user'), Type.Literal('service_account')]),
        id: Type.String({ maxLength: 256 }),
        name: Type.String({ maxLength: 256 }),
        isAdmin: Type.Boolean(),
        groups: Type.Array(Type.String({ maxLength: 256 }), { default: [], maxItems: 1000 }),
      },
      { additionalProperties: false },
    ),
    action: Type.String({ minLength: 1, maxLength: 256 }),
    resource: Type.String({ maxLength: 4096 }),
    request: Type.Object({}, { additionalProperties: true, default: {} }),
  },
  { additionalProperties: false },
);

// Apache Ranger's plugin downloads and public API (../shared/ref/ranger/NOTES.md).

export const ServiceParams = Type.Object({ serviceName: Type.String({ minLength: 1, maxLength: 255 }) });
export const PolicyDownloadQuery = Type.Object(
  {
    lastKnownVersion: Type.Optional(Type.Integer({ default: -1 })),
    lastActivationTime: Type.Optional(Type.Integer()),
    pluginId: Type.Optional(Type.String()),
    clusterName: Type.Optional(Type.String()),
    zoneName: Type.Optional(Type.String()),
    supportsPolicyDeltas: Type.Optional(Type.String()),
    pluginCapabilities: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const RolesDownloadQuery = Type.Object(
  {
    lastKnownRoleVersion: Type.Optional(Type.Integer({ default: -1 })),
    lastActivationTime: Type.Optional(Type.Integer()),
    pluginId: Type.Optional(Type.String()),
    clusterName: Type.Optional(Type.String()),
    pluginCapabilities: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const TagsDownloadQuery = Type.Object(
  {
    lastKnownVersion: Type.Optional(Type.Integer({ default: -1 })),
    lastActivationTime: Type.Optional(Type.Integer()),
    pluginId: Type.Optional(Type.String()),
    supportsTagDeltas: Type.Optional(Type.String()),
    pluginCapabilities: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const RANGER_JSON = { description: 'Ranger JSON', schema: Type.Unknown() };
// Ranger's ids are Java longs; ours are bigints read as JavaScript numbers, exact only up to 2^53 - 1, where the
// sequence will never reach. A larger id is refused naming the field, rather than handed to PostgreSQL as "1e+21".
export const RangerIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
export const RangerGuidParams = Type.Object({ guid: Type.String({ format: 'uuid' }) });
export const RangerNamedParams = Type.Object({ servicename: Type.String({ minLength: 1 }), policyname: Type.String({ minLength: 1 }) });
export const RangerServiceParams = Type.Object({ servicename: Type.String({ minLength: 1 }) });
export const RangerListQuery = Type.Object(
  {
    serviceName: Type.Optional(Type.String()),
    policyName: Type.Optional(Type.String()),
    servicename: Type.Optional(Type.String()),
    policyname: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
