import { Type } from '@sinclair/typebox';
import { defineEventType } from '../events/index.js';

const DataPolicyEvent = Type.Object({
  policyId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.Integer({ description: "The policy's version after the change." }),
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

/**
 * What the policies function publishes when the policies in force change. Every function consumes them
 * (shared/platform/policy-refresh.ts): a process that gets one reloads at once instead of at its next poll.
 */
export const PolicyEvents = {
  controlBundleActivated: defineEventType(
    'io.lakeplane.policies.control-bundle.activated.v1',
    'A control policy bundle was put in force (activated, or rolled back to); every function switches when it receives this event, and within LAKEPLANE_POLICY_REFRESH_MS without it.',
    ControlBundleEvent,
  ),
  dataPolicyChanged: defineEventType(
    'io.lakeplane.policies.data-policy.changed.v1',
    'A data access policy was created, replaced or deleted; every function picks up the new set when it receives this event, and within LAKEPLANE_POLICY_REFRESH_MS without it.',
    DataPolicyEvent,
  ),
} as const;
