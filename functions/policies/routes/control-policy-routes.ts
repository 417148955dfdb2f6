import { Type } from '@sinclair/typebox';
import { json, route, type RequestContext } from '../../../shared/http/index.js';
import { activateBundle, activationHistory, listBundles, rollback, uploadBundle } from '../handlers/control-bundles.js';

const base = '/api/v1/control-policies';
const Id = Type.String({ format: 'uuid' });

const Bundle = Type.Object({ id: Id, version: Type.Integer(), digest: Type.String(), revision: Type.String(), description: Type.String(), uploadedAt: Type.String({ format: 'date-time' }), uploadedBy: Type.Union([Type.String(), Type.Null()]), active: Type.Boolean() });
const InForce = Type.Object({ active: Type.String({ description: 'The bundle id in force, or "shipped".' }), controlVersion: Type.Integer(), kind: Type.Union([Type.Literal('activate'), Type.Literal('rollback')]) });
const UploadBody = Type.Object(
  {
    bundle: Type.Optional(Type.String({ minLength: 4, maxLength: 8_000_000, description: 'An OPA bundle (tar.gz with policy.wasm, .manifest, data.json), base64. Build: opa build -t wasm -e lakeplane/control/allow -e lakeplane/control/reasons DIR' })),
    rego: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000_000, description: 'Rego source to compile on the server (needs an opa binary there; 422 otherwise).' })),
    data: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'With rego: the data document (data.json).' })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const DecideBody = Type.Object(
  {
    principal: Type.Object({ kind: Type.Union([Type.Literal('user'), Type.Literal('service_account')]), id: Type.String({ maxLength: 256 }), name: Type.String({ maxLength: 256 }), isAdmin: Type.Boolean(), groups: Type.Array(Type.String({ maxLength: 256 }), { default: [], maxItems: 1000 }) }, { additionalProperties: false }),
    action: Type.String({ minLength: 1, maxLength: 256 }),
    resource: Type.String({ maxLength: 4096 }),
    request: Type.Object({}, { additionalProperties: true, default: {} }),
  },
  { additionalProperties: false },
);

const admin = async (ctx: RequestContext<unknown, unknown, unknown>, verb: string) => {
  const p = ctx.requirePrincipal();
  await ctx.platform.authorizer.authorize(p, `policies:control:${verb}`, 'policies/control');
  return `${p.kind}:${p.name}`;
};

export const controlPolicyRoutes = [
  route({
    method: 'POST', path: `${base}/bundles`, operationId: 'policies.uploadControlBundle', tags: ['control-policies'], auth: 'required', body: UploadBody,
    summary: 'Upload a control policy bundle (or Rego to compile). It is checked (it loads, has both entrypoints, answers a smoke input) and stored, not yet in force.',
    responses: { 201: { description: 'Stored', schema: Bundle }, 422: { description: 'Rego given, but the server has no opa binary' } },
    handler: async (ctx) => {
      const actor = await admin(ctx, 'upload');
      const bundle = await uploadBundle(ctx.platform, ctx.body, actor);
      ctx.auditResource = `policies/control/bundles/${bundle.id}`;
      return json(201, bundle);
    },
  }),
  route({
    method: 'GET', path: `${base}/bundles`, operationId: 'policies.listControlBundles', tags: ['control-policies'], auth: 'required',
    summary: 'Uploaded bundles, newest first, and which is in force ("shipped": the one that comes with Lakeplane).',
    responses: { 200: { description: 'Bundles', schema: Type.Object({ items: Type.Array(Bundle), active: Type.String() }) } },
    handler: async (ctx) => {
      await admin(ctx, 'read');
      return json(200, await listBundles(ctx.platform.store.db));
    },
  }),
  route({
    method: 'POST', path: `${base}/bundles/:id/activate`, operationId: 'policies.activateControlBundle', tags: ['control-policies'], auth: 'required', params: Type.Object({ id: Id }),
    summary: 'Put a bundle in force; every process switches within LAKEPLANE_POLICY_REFRESH_MS, whole (never half a bundle).',
    responses: { 200: { description: 'In force', schema: InForce } },
    handler: async (ctx) => {
      const actor = await admin(ctx, 'activate');
      ctx.auditResource = `policies/control/bundles/${ctx.params.id}`;
      return json(200, await activateBundle(ctx.platform, ctx.params.id, actor));
    },
  }),
  route({
    method: 'POST', path: `${base}/rollback`, operationId: 'policies.rollbackControlBundle', tags: ['control-policies'], auth: 'required',
    summary: 'Put back what was in force before the last activation (the shipped bundle if nothing was).',
    responses: { 200: { description: 'In force', schema: InForce }, 409: { description: 'Nothing to roll back' } },
    handler: async (ctx) => {
      const actor = await admin(ctx, 'activate');
      ctx.auditResource = 'policies/control/rollback';
      return json(200, await rollback(ctx.platform, actor));
    },
  }),
  route({
    method: 'GET', path: `${base}/activations`, operationId: 'policies.controlActivations', tags: ['control-policies'], auth: 'required',
    summary: 'What was put in force when, newest first.', responses: { 200: { description: 'Activations', schema: Type.Object({ items: Type.Array(Type.Unknown()) }) } },
    handler: async (ctx) => {
      await admin(ctx, 'read');
      return json(200, await activationHistory(ctx.platform.store.db));
    },
  }),
  route({
    method: 'POST', path: `${base}/decide`, operationId: 'policies.decideControl', tags: ['control-policies'], auth: 'required', audit: false, scope: 'policies:read', body: DecideBody,
    summary: 'Ask the control policies in force about any principal, action and resource.',
    responses: { 200: { description: 'The decision', schema: Type.Object({ allowed: Type.Boolean(), reasons: Type.Array(Type.String()), controlVersion: Type.Integer(), bundle: Type.String() }) } },
    handler: async (ctx) => {
      await admin(ctx, 'read');
      const d = await ctx.platform.controlPolicies.decide(ctx.body);
      return json(200, { allowed: d.allowed, reasons: d.reasons, controlVersion: d.controlVersion, bundle: d.bundleId ?? 'shipped' });
    },
  }),
];
