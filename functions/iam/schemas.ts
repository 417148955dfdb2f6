import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Request and response schemas of IAM. Types, validation and the OpenAPI document all come from these. */
export const Id = Type.String({ format: 'uuid', description: 'Identifier (UUID)' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Username = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{1,62}$',
  description: 'Lowercase letters, digits, dot, dash, underscore; 2 to 63 characters.',
});
export const GroupName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]{0,62}$',
  description: '1 to 63 characters: letters, digits, dot, dash, underscore, space.',
});
export const Password = Type.String({ minLength: 12, maxLength: 256, description: 'At least 12 characters.' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const PageQuery = {
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1 to 200).' })),
  pageToken: Type.Optional(Type.String({ maxLength: 512, description: "Opaque token from the previous page's nextPageToken." })),
};
export const Page = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), nextPageToken: Type.Union([Type.String(), Type.Null()]) });

export const User = Type.Object({
  id: Id,
  username: Type.String(),
  email: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  active: Type.Boolean(),
  isAdmin: Type.Boolean(),
  source: Type.Union([Type.Literal('local'), Type.Literal('oidc')]),
  groups: Type.Array(Type.Object({ id: Id, name: Type.String() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastLoginAt: Nullable(Timestamp),
  version: Type.Integer(),
});
export type User = Static<typeof User>;

export const CreateUserBody = Type.Object(
  {
    username: Username,
    email: Type.Optional(Email),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Password),
    isAdmin: Type.Optional(Type.Boolean({ default: false })),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export const UpdateUserBody = Type.Object(
  {
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    displayName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    password: Type.Optional(Password),
    isAdmin: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const ListUsersQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Matches username, email or display name (case-insensitive substring).' })),
    active: Type.Optional(Type.Boolean()),
    groupId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const Group = Type.Object({
  id: Id,
  name: Type.String(),
  description: Nullable(Type.String()),
  source: Type.Union([Type.Literal('local'), Type.Literal('oidc')]),
  memberCount: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});
export const CreateGroupBody = Type.Object({ name: GroupName, description: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
export const UpdateGroupBody = Type.Object(
  { name: Type.Optional(GroupName), description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
);
export const ListGroupsQuery = Type.Object({ ...PageQuery, q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });
export const MemberParams = Type.Object({ id: Id, userId: Id }, { additionalProperties: false });
export const Member = Type.Object({
  userId: Id,
  username: Type.String(),
  source: Type.Union([Type.Literal('local'), Type.Literal('oidc')]),
  addedAt: Timestamp,
});

/** A ceiling the gateway enforces on a caller's requests (a token bucket of one second's worth); more get 429. */
const MaxRequestsPerSecond = Type.Number({
  exclusiveMinimum: 0,
  maximum: 100000,
  description: 'Requests per second the gateway lets through for this caller (bursts of as many); more get 429 with Retry-After.',
});

export const PersonalAccessToken = Type.Object({
  id: Id,
  userId: Id,
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to tell tokens apart. The secret itself is shown only once, at creation.' }),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  scope: Nullable(Type.String({ description: "The token's scopes, space-delimited; null: its user's full rights." })),
  maxRequestsPerSecond: Nullable(MaxRequestsPerSecond),
});
export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scope: Type.Optional(
      Type.String({ maxLength: 1000, description: 'Space-delimited scopes (catalog, iam:read, …). Omit for the full rights of the token that mints it.' }),
    ),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'Omit for a token that does not expire.' })),
    maxRequestsPerSecond: Type.Optional(MaxRequestsPerSecond),
    userId: Type.Optional(Type.String({ format: 'uuid', description: 'Admins only: mint for another user.' })),
  },
  { additionalProperties: false },
);
export const CreatedToken = Type.Composite([
  PersonalAccessToken,
  Type.Object({ token: Type.String({ description: 'The secret. It is not stored and cannot be shown again.' }) }),
]);
export const ListTokensQuery = Type.Object(
  { ...PageQuery, userId: Type.Optional(Id), includeRevoked: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);

export const ServiceAccount = Type.Object({
  id: Id,
  name: Type.String(),
  description: Nullable(Type.String()),
  clientId: Type.String(),
  isAdmin: Type.Boolean(),
  active: Type.Boolean(),
  maxRequestsPerSecond: Nullable(MaxRequestsPerSecond),
  secrets: Type.Array(Type.Object({ id: Id, prefix: Type.String(), createdAt: Timestamp, expiresAt: Nullable(Timestamp), revokedAt: Nullable(Timestamp) })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});
export const ListServiceAccountsQuery = Type.Object(PageQuery, { additionalProperties: false });
export const CreateServiceAccountBody = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    isAdmin: Type.Optional(Type.Boolean({ default: false })),
    secretExpiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    maxRequestsPerSecond: Type.Optional(MaxRequestsPerSecond),
  },
  { additionalProperties: false },
);
export const UpdateServiceAccountBody = Type.Object(
  {
    description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    isAdmin: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
    maxRequestsPerSecond: Type.Optional(Type.Union([MaxRequestsPerSecond, Type.Null()], { description: 'null: no ceiling of its own.' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const RotateSecretBody = Type.Object(
  {
    revokeExisting: Type.Optional(
      Type.Boolean({ default: false, description: 'Revoke every other secret at once; otherwise they keep working until revoked, so clients can move over.' }),
    ),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export const ClientCredentials = Type.Object({ clientId: Type.String(), clientSecret: Type.String({ description: 'Shown once.' }), secretId: Id });
export const SecretParams = Type.Object({ id: Id, secretId: Id }, { additionalProperties: false });

export const IdentityProvider = Type.Object({
  id: Id,
  name: Type.String(),
  issuer: Type.String(),
  audience: Type.String(),
  usernameClaim: Type.String(),
  groupsClaim: Nullable(Type.String()),
  emailClaim: Nullable(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});
const ClaimName = Type.String({ pattern: '^[A-Za-z0-9_:./-]{1,100}$' });
export const CreateIdentityProviderBody = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
    issuer: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
    audience: Type.String({ minLength: 1, maxLength: 200 }),
    usernameClaim: Type.Optional(Type.String({ ...ClaimName, default: 'preferred_username' })),
    groupsClaim: Type.Optional(ClaimName),
    emailClaim: Type.Optional(Type.String({ ...ClaimName, default: 'email' })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export const UpdateIdentityProviderBody = Type.Object(
  {
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    usernameClaim: Type.Optional(ClaimName),
    groupsClaim: Type.Optional(Type.Union([ClaimName, Type.Null()])),
    emailClaim: Type.Optional(Type.Union([ClaimName, Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export { TokenRequest, TokenResponse } from '../../shared/auth/index.js';

export const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('service_account')]),
  id: Id,
  name: Type.String(),
  isAdmin: Type.Boolean(),
  groups: Type.Array(Type.String()),
  authentication: Type.Object({
    method: Type.Union([Type.Literal('access_token'), Type.Literal('personal_access_token'), Type.Literal('oidc'), Type.Literal('client_secret')]),
    issuer: Type.String(),
    tokenId: Type.Optional(Id),
  }),
  email: Type.Optional(Nullable(Type.String())),
  displayName: Type.Optional(Nullable(Type.String())),
});

export const AuditRecord = Type.Object({
  id: Type.String(),
  at: Timestamp,
  requestId: Nullable(Type.String()),
  principal: Type.Union([Type.Object({ id: Type.String(), name: Nullable(Type.String()), kind: Nullable(Type.String()) }), Type.Null()]),
  function: Type.String(),
  action: Type.String(),
  resource: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')]),
  status: Type.Integer(),
  method: Nullable(Type.String()),
  detail: Nullable(Type.String()),
  clientAddress: Nullable(Type.String({ description: "The client's address (X-Forwarded-For only through LAKEPLANE_TRUSTED_PROXIES)." })),
  count: Type.Integer({
    minimum: 1,
    description:
      'Requests this record stands for: denied and anonymous failed requests of one address, principal, route and status are counted on one record per 5 minutes; `at` and `requestId` are the first, `lastAt` and `lastRequestId` the last.',
  }),
  lastAt: Timestamp,
  lastRequestId: Nullable(Type.String()),
});
export const ListAuditQuery = Type.Object(
  {
    ...PageQuery,
    principalId: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')])),
    resourcePrefix: Type.Optional(Type.String({ maxLength: 500 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export const RotatedKey = Type.Object({ kid: Type.String(), retired: Type.Array(Type.String()) });
