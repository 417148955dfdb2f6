import { Type } from '@sinclair/typebox';
import { defineEventType } from '../events/index.js';

/** IAM's event types. They live in shared/ because authentication itself announces users it creates on first sight. */
const UserEvent = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  username: Type.String(),
  source: Type.Union([Type.Literal('local'), Type.Literal('oidc')]),
  changed: Type.Optional(Type.Array(Type.String())),
});
const GroupEvent = Type.Object({ groupId: Type.String({ format: 'uuid' }), name: Type.String() });
const MembershipEvent = Type.Object({
  groupId: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  change: Type.Union([Type.Literal('added'), Type.Literal('removed')]),
  source: Type.Union([Type.Literal('local'), Type.Literal('oidc')]),
});
const TokenEvent = Type.Object({ tokenId: Type.String({ format: 'uuid' }), userId: Type.String({ format: 'uuid' }), name: Type.String() });
const ServiceAccountEvent = Type.Object({ serviceAccountId: Type.String({ format: 'uuid' }), name: Type.String(), clientId: Type.String() });
const KeyEvent = Type.Object({ kid: Type.String(), retired: Type.Array(Type.String()) });
const ProviderEvent = Type.Object({ identityProviderId: Type.String({ format: 'uuid' }), name: Type.String(), issuer: Type.String() });

export const IamEvents = {
  userCreated: defineEventType(
    'io.lakeplane.iam.user.created.v1',
    'A user was created (by an admin, or on first sign-in through an identity provider).',
    UserEvent,
  ),
  userUpdated: defineEventType('io.lakeplane.iam.user.updated.v1', 'A user was changed; `changed` lists the fields.', UserEvent),
  userDeleted: defineEventType('io.lakeplane.iam.user.deleted.v1', 'A user was deleted.', UserEvent),
  groupCreated: defineEventType('io.lakeplane.iam.group.created.v1', 'A group was created.', GroupEvent),
  groupUpdated: defineEventType('io.lakeplane.iam.group.updated.v1', 'A group was changed.', GroupEvent),
  groupDeleted: defineEventType('io.lakeplane.iam.group.deleted.v1', 'A group was deleted.', GroupEvent),
  membershipChanged: defineEventType('io.lakeplane.iam.group.membership-changed.v1', 'A user joined or left a group.', MembershipEvent),
  tokenCreated: defineEventType('io.lakeplane.iam.token.created.v1', 'A personal access token was created.', TokenEvent),
  tokenRevoked: defineEventType('io.lakeplane.iam.token.revoked.v1', 'A personal access token was revoked.', TokenEvent),
  serviceAccountCreated: defineEventType('io.lakeplane.iam.service-account.created.v1', 'A service account was created.', ServiceAccountEvent),
  serviceAccountUpdated: defineEventType(
    'io.lakeplane.iam.service-account.updated.v1',
    'A service account was changed or its secret rotated.',
    ServiceAccountEvent,
  ),
  serviceAccountDeleted: defineEventType('io.lakeplane.iam.service-account.deleted.v1', 'A service account was deleted.', ServiceAccountEvent),
  signingKeyRotated: defineEventType(
    'io.lakeplane.iam.signing-key.rotated.v1',
    'A new token signing key took over; retired keys stay published until their tokens expire.',
    KeyEvent,
  ),
  identityProviderChanged: defineEventType(
    'io.lakeplane.iam.identity-provider.changed.v1',
    'An identity provider was created, changed or deleted.',
    ProviderEvent,
  ),
} as const;
