import { Type, type Static } from '@sinclair/typebox';
import { StringMap } from '../../../shared/schema/index.js';

/** Where warehouses are, on the platform API. */
export const WAREHOUSES = '/api/v1/warehouses';

const Name = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
  description: 'Lowercase letters, digits, _ and -; it is also the catalog prefix clients use.',
});
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, uniqueItems: true });

export const S3Storage = Type.Object(
  {
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    endpoint: Type.Optional(
      Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'Endpoint of an S3-compatible server (MinIO, Ceph...).' }),
    ),
    pathStyleAccess: Type.Optional(Type.Boolean({ description: 'Address buckets as path segments (MinIO and most S3-compatible servers need it).' })),
  },
  { additionalProperties: false },
);

/** Free-form settings of a warehouse: keys up to 256 characters, values up to 8 KiB, at most 500 of them. */
const WarehouseProperties = StringMap({ minLength: 1, maxLength: 256 }, Type.String({ maxLength: 8192 }), { maxProperties: 500 });

const CredentialsRef = Type.String({
  pattern: '^env:[A-Z][A-Z0-9_]{0,62}$',
  description:
    "Where the S3 credentials are, never the credentials themselves: env:PREFIX reads PREFIX_ACCESS_KEY_ID, PREFIX_SECRET_ACCESS_KEY and optionally PREFIX_SESSION_TOKEN from the catalog function's environment (a Kubernetes Secret in cluster mode).",
});
const CredentialVending = Type.Union([Type.Literal('none'), Type.Literal('static'), Type.Literal('sts')], {
  description:
    "none: clients bring their own storage credentials. static: loadTable and the credentials endpoint hand every client allowed to load any table the warehouse's own long-lived keys, which reach every table's files. sts: they hand out short-lived credentials from STS AssumeRole of `sts.roleArn`, with a session policy that reaches only the table's files, read-only unless the caller may write the table; the warehouse's keys (credentialsRef) only call STS.",
});

export const StsSettings = Type.Object(
  {
    roleArn: Type.String({
      pattern: '^arn:[a-z0-9-]+:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$',
      description: "The role vended credentials are assumed from; it must reach the warehouse's location (the session policy narrows it per table).",
    }),
    externalId: Type.Optional(
      Type.String({ minLength: 2, maxLength: 1224, pattern: '^[\\w+=,.@:/-]+$', description: "The external id the role's trust policy asks for." }),
    ),
    endpoint: Type.Optional(
      Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'STS endpoint of an STS-compatible server; AWS STS when absent.' }),
    ),
    region: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Region of the STS endpoint; the storage region (or us-east-1) when absent.' }),
    ),
    durationSeconds: Type.Optional(
      Type.Integer({
        minimum: 900,
        maximum: 43200,
        default: 3600,
        description: "Lifetime of vended credentials (STS allows 900 to 43200, and the role's maximum session duration caps it). Default 3600.",
      }),
    ),
  },
  { additionalProperties: false },
);

const RemoteSigning = Type.Boolean({
  description:
    "Whether clients may have their S3 requests signed by the catalog (X-Iceberg-Access-Delegation: remote-signing): loadTable then answers s3.remote-signing-enabled and a signer endpoint for the table, which signs with the warehouse's keys (credentialsRef) only requests inside that table's location whose method fits the caller's access (GET/HEAD to read; PUT/POST/DELETE to write), re-deciding the caller's access on every request. Needs an s3:// warehouse and credentialsRef. Default false.",
});

export const CreateWarehouseBody = Type.Object(
  {
    name: Name,
    storageLocation: Type.Optional(
      Type.String({
        pattern: '^(file:/|s3a?://[^/]+)',
        maxLength: 2048,
        description: 'file:///path or s3://bucket/prefix. Embedded mode defaults to LAKEPLANE_DATA_DIR/warehouses/<name>.',
      }),
    ),
    storage: Type.Optional(S3Storage),
    credentialsRef: Type.Optional(CredentialsRef),
    credentialVending: Type.Optional(CredentialVending),
    sts: Type.Optional(StsSettings),
    remoteSigning: Type.Optional(RemoteSigning),
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
    sts: Type.Optional(Type.Union([StsSettings, Type.Null()])),
    remoteSigning: Type.Optional(RemoteSigning),
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
  sts: Type.Union([StsSettings, Type.Null()]),
  remoteSigning: RemoteSigning,
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
