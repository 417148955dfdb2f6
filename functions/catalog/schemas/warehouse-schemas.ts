import { Type, type Static } from '@sinclair/typebox';
import { StringMap } from '../../../shared/schema/index.js';

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'Lowercase letters, digits, _ and -; it is also the catalog prefix clients use.' });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, uniqueItems: true });

export const S3Storage = Type.Object(
  {
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    endpoint: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'Endpoint of an S3-compatible server (MinIO, Ceph...).' })),
    pathStyleAccess: Type.Optional(Type.Boolean({ description: 'Address buckets as path segments (MinIO and most S3-compatible servers need it).' })),
  },
  { additionalProperties: false },
);

/** Free-form settings of a warehouse: keys up to 256 characters, values up to 8 KiB, at most 500 of them. */
const WarehouseProperties = StringMap({ minLength: 1, maxLength: 256 }, Type.String({ maxLength: 8192 }), { maxProperties: 500 });

const CredentialsRef = Type.String({
  pattern: '^env:[A-Z][A-Z0-9_]{0,62}$',
  description: 'Where the S3 credentials are, never the credentials themselves: env:PREFIX reads PREFIX_ACCESS_KEY_ID, PREFIX_SECRET_ACCESS_KEY and optionally PREFIX_SESSION_TOKEN from the catalog function\'s environment (a Kubernetes Secret in cluster mode).',
});
const CredentialVending = Type.Union([Type.Literal('none'), Type.Literal('static')], {
  description: 'none: clients bring their own storage credentials. static: loadTable and the credentials endpoint hand clients the configured credentials.',
});

export const CreateWarehouseBody = Type.Object(
  {
    name: Name,
    storageLocation: Type.Optional(Type.String({ pattern: '^(file:/|s3a?://[^/]+)', maxLength: 2048, description: 'file:///path or s3://bucket/prefix. Embedded mode defaults to LAKEPLANE_DATA_DIR/warehouses/<name>.' })),
    storage: Type.Optional(S3Storage),
    credentialsRef: Type.Optional(CredentialsRef),
    credentialVending: Type.Optional(CredentialVending),
    properties: Type.Optional(WarehouseProperties),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    owner: Type.Optional(Type.String({ maxLength: 200 })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type CreateWarehouseBodyValue = Static<typeof CreateWarehouseBody>;

export const UpdateWarehouseBody = Type.Object(
  {
    storage: Type.Optional(S3Storage),
    credentialsRef: Type.Optional(Type.Union([CredentialsRef, Type.Null()])),
    credentialVending: Type.Optional(CredentialVending),
    properties: Type.Optional(WarehouseProperties),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
    owner: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWarehouseBodyValue = Static<typeof UpdateWarehouseBody>;

export const Warehouse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  storageLocation: Type.String(),
  storage: S3Storage,
  credentialsRef: Type.Union([Type.String(), Type.Null()]),
  credentialVending: CredentialVending,
  properties: Type.Record(Type.String(), Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  owner: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const WarehouseList = Type.Object({ items: Type.Array(Warehouse), nextPageToken: Type.Union([Type.String(), Type.Null()]) });
export const WarehouseParams = Type.Object({ name: Name });
export const WarehouseListQuery = Type.Object(
  { pageToken: Type.Optional(Type.String()), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
  { additionalProperties: false },
);
