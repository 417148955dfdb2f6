import { Type } from '@sinclair/typebox';
import { defineEventType } from '../../shared/events/index.js';

const DataPolicyEvent = Type.Object({
  policyId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.Integer({ description: 'The policy\'s version after the change.' }),
  policySetVersion: Type.Integer({ description: 'The version of the whole set after the change.' }),
  change: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  actor: Type.Optional(Type.String()),
});

export const PolicyEvents = {
  dataPolicyChanged: defineEventType('io.lakeplane.policies.data-policy.changed.v1', 'A data access policy was created, replaced or deleted; every process picks up the new set within LAKEPLANE_POLICY_REFRESH_MS.', DataPolicyEvent),
} as const;
