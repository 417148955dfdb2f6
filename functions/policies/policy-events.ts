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

const ControlBundleEvent = Type.Object({
  bundleId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'null: the shipped bundle' }),
  controlVersion: Type.Integer(),
  kind: Type.Union([Type.Literal('activate'), Type.Literal('rollback')]),
  actor: Type.Optional(Type.String()),
});

export const PolicyEvents = {
  controlBundleActivated: defineEventType('io.lakeplane.policies.control-bundle.activated.v1', 'A control policy bundle was put in force (activated, or rolled back to); every process switches within LAKEPLANE_POLICY_REFRESH_MS.', ControlBundleEvent),
  dataPolicyChanged: defineEventType('io.lakeplane.policies.data-policy.changed.v1', 'A data access policy was created, replaced or deleted; every process picks up the new set within LAKEPLANE_POLICY_REFRESH_MS.', DataPolicyEvent),
} as const;
