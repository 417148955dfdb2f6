import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { activateBundle } from '../handlers/control-bundles/activate.js';
import { decideControl } from '../handlers/control-bundles/decide.js';
import { listActivations } from '../handlers/control-bundles/list-activations.js';
import { listBundles } from '../handlers/control-bundles/list.js';
import { rollbackBundle } from '../handlers/control-bundles/rollback.js';
import { uploadBundle } from '../handlers/control-bundles/upload.js';
import { Bundle, BundleParams, ControlDecideBody, InForce, UploadBundleBody } from '../schemas.js';

const base = '/api/v1/control-policies';
const control = () => platformObject('policies', 'control');

export const controlPolicyRoutes = [
  operation({
    method: 'POST',
    path: `${base}/bundles`,
    operationId: 'policies.uploadControlBundle',
    tags: ['control-policies'],
    body: UploadBundleBody,
    summary:
      'Upload a control policy bundle (or Rego to compile). It is checked (it loads, has both entrypoints, answers a smoke input) and stored, not yet in force.',
    responses: { 201: { description: 'Stored', schema: Bundle }, 422: { description: 'Rego given, but the server has no opa binary' } },
    authorization: { action: 'policies:control:upload', resource: control },
    mutates: 'in-steps',
    handler: uploadBundle,
  }),
  operation({
    method: 'GET',
    path: `${base}/bundles`,
    operationId: 'policies.listControlBundles',
    tags: ['control-policies'],
    summary: 'Uploaded bundles, newest first, and which is in force ("shipped": the one that comes with Lakeplane).',
    responses: { 200: { description: 'Bundles', schema: Type.Object({ items: Type.Array(Bundle), active: Type.String() }) } },
    authorization: { action: 'policies:control:read', resource: control },
    handler: listBundles,
  }),
  operation({
    method: 'POST',
    path: `${base}/bundles/:id/activate`,
    operationId: 'policies.activateControlBundle',
    tags: ['control-policies'],
    params: BundleParams,
    summary: 'Put a bundle in force; every process switches within LAKEPLANE_POLICY_REFRESH_MS, whole (never half a bundle).',
    responses: { 200: { description: 'In force', schema: InForce } },
    authorization: { action: 'policies:control:activate', resource: control },
    auditResource: ({ params }) => `policies/control/bundles/${params.id}`,
    handler: activateBundle,
  }),
  operation({
    method: 'POST',
    path: `${base}/rollback`,
    operationId: 'policies.rollbackControlBundle',
    tags: ['control-policies'],
    summary: 'Put back what was in force before the last activation (the shipped bundle if nothing was).',
    responses: { 200: { description: 'In force', schema: InForce }, 409: { description: 'Nothing to roll back' } },
    authorization: { action: 'policies:control:activate', resource: control },
    auditResource: () => 'policies/control/rollback',
    handler: rollbackBundle,
  }),
  operation({
    method: 'GET',
    path: `${base}/activations`,
    operationId: 'policies.controlActivations',
    tags: ['control-policies'],
    summary: 'What was put in force when, newest first.',
    responses: { 200: { description: 'Activations', schema: Type.Object({ items: Type.Array(Type.Unknown()) }) } },
    authorization: { action: 'policies:control:read', resource: control },
    handler: listActivations,
  }),
  operation({
    method: 'POST',
    path: `${base}/decide`,
    operationId: 'policies.decideControl',
    tags: ['control-policies'],
    audit: false,
    scope: 'policies:read',
    body: ControlDecideBody,
    summary: 'Ask the control policies in force about any principal, action and resource.',
    responses: {
      200: {
        description: 'The decision',
        schema: Type.Object({ allowed: Type.Boolean(), reasons: Type.Array(Type.String()), controlVersion: Type.Integer(), bundle: Type.String() }),
      },
    },
    authorization: { action: 'policies:control:read', resource: control },
    mutates: false,
    handler: decideControl,
  }),
];
