import { ifMatchVersion, json, noContent, route, type RequestContext } from '../../../shared/http/index.js';
import { DataPolicyInput, subjectOf, type Subject } from '../../../shared/policy/index.js';
import { createDataPolicy, dataPolicyHistory, deleteDataPolicy, getDataPolicy, listDataPolicies, replaceDataPolicy } from '../handlers/data-policies.js';
import { accessTimeOf, assertResources, decide } from '../handlers/decide.js';
import { policyAdmin } from '../handlers/policy-admin.js';
import { DataPolicy, DecideBatchRequest, DecideRequest, Decision, DecisionBatch, IdParams, ListPoliciesQuery, PolicyHistory, PolicyPage } from '../schemas.js';

const base = '/api/v1/policies';
/** A decision only reads; a catalog token may ask it too (engines ask about their session's user with its token). */
const DECIDE_SCOPES = ['policies:read', 'catalog:read'];
const actorOf = (ctx: RequestContext<unknown, unknown, unknown>) => {
  const p = ctx.requirePrincipal();
  return `${p.kind}:${p.name}`;
};

/** Deciding for someone else shows what they may do: that is an admin's question. */
async function subjectFor(ctx: RequestContext<unknown, unknown, unknown>, asked: { user: string; groups?: string[]; roles?: string[] } | undefined): Promise<Subject> {
  const caller = ctx.requirePrincipal();
  if (!asked) return subjectOf(caller);
  await ctx.platform.authorizer.authorize(caller, 'policies:decisions:impersonate', `policies/subjects/${asked.user}`);
  return { user: asked.user, groups: asked.groups ?? [], roles: asked.roles ?? [] };
}

export const dataPolicyRoutes = [
  route({
    method: 'GET', path: base, operationId: 'policies.listDataPolicies', tags: ['policies'], auth: 'required', summary: 'List data access policies.', query: ListPoliciesQuery,
    responses: { 200: { description: 'A page of policies, and the version of the whole set', schema: PolicyPage } },
    handler: async (ctx) => {
      const admin = await policyAdmin(ctx, 'list', 'policies');
      const page = await listDataPolicies(ctx.platform.store.db, ctx.query);
      // A delegated admin sees the policies it manages; a page may then hold fewer than pageSize.
      return json(200, { ...page, items: page.items.filter((p) => admin.canSee(p)) });
    },
  }),
  route({
    method: 'POST', path: base, operationId: 'policies.createDataPolicy', tags: ['policies'], auth: 'required', summary: 'Create a data access, masking or row-filter policy.', body: DataPolicyInput,
    responses: { 201: { description: 'Created', schema: DataPolicy }, 409: { description: 'A policy of that name exists' } },
    handler: async (ctx) => {
      ctx.auditResource = `policies/${ctx.body.name}`;
      await policyAdmin(ctx, 'create', 'policies', [ctx.body]);
      const policy = await createDataPolicy(ctx.platform, ctx.body, actorOf(ctx));
      ctx.auditResource = `policies/${policy.id}`;
      return json(201, policy, { location: `${base}/${policy.id}`, etag: `"${policy.version}"` });
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'policies.getDataPolicy', tags: ['policies'], auth: 'required', summary: 'Read a policy.', params: IdParams,
    responses: { 200: { description: 'The policy', schema: DataPolicy } },
    handler: async (ctx) => {
      const policy = await getDataPolicy(ctx.platform.store.db, ctx.params.id);
      await policyAdmin(ctx, 'read', `policies/${ctx.params.id}`, [policy]);
      return json(200, policy, { etag: `"${policy.version}"` });
    },
  }),
  route({
    method: 'PUT', path: `${base}/:id`, operationId: 'policies.replaceDataPolicy', tags: ['policies'], auth: 'required', params: IdParams, body: DataPolicyInput,
    summary: 'Replace a policy; with If-Match: "<version>", only if nobody changed it since (409 otherwise). Bumps its version.',
    responses: { 200: { description: 'The policy after the change', schema: DataPolicy }, 409: { description: 'Stale If-Match, or the new name is taken' } },
    handler: async (ctx) => {
      ctx.auditResource = `policies/${ctx.params.id}`;
      const current = await getDataPolicy(ctx.platform.store.db, ctx.params.id);
      const admin = await policyAdmin(ctx, 'update', ctx.auditResource, [current, ctx.body]);
      const policy = await replaceDataPolicy(ctx.platform, ctx.params.id, ctx.body, ifMatchVersion(ctx.headers['if-match'], 'policy'), actorOf(ctx), admin.mayManage);
      return json(200, policy, { etag: `"${policy.version}"` });
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id`, operationId: 'policies.deleteDataPolicy', tags: ['policies'], auth: 'required', params: IdParams,
    summary: 'Delete a policy (its history stays); with If-Match, only if nobody changed it since.', responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = `policies/${ctx.params.id}`;
      const current = await getDataPolicy(ctx.platform.store.db, ctx.params.id);
      const admin = await policyAdmin(ctx, 'delete', ctx.auditResource, [current]);
      await deleteDataPolicy(ctx.platform, ctx.params.id, ifMatchVersion(ctx.headers['if-match'], 'policy'), actorOf(ctx), admin.mayManage);
      return noContent();
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/history`, operationId: 'policies.dataPolicyHistory', tags: ['policies'], auth: 'required', params: IdParams,
    summary: 'Every version of a policy, newest first, including its deletion.', responses: { 200: { description: 'The versions', schema: PolicyHistory } },
    handler: async (ctx) => {
      const history = await dataPolicyHistory(ctx.platform.store.db, ctx.params.id);
      // Whoever manages the policy as it last stood may read how it got there.
      await policyAdmin(ctx, 'read', `policies/${ctx.params.id}`, history.items.slice(0, 1).map((h) => h.policy));
      return json(200, history);
    },
  }),
  route({
    method: 'POST', path: `${base}/decide`, operationId: 'policies.decide', tags: ['policies'], auth: 'required', audit: false, scope: DECIDE_SCOPES, body: DecideRequest,
    summary: 'Decide one request against the data access policies: allowed or not, by which policy, audit, and for a select the masks and row filter.',
    responses: { 200: { description: 'The decision', schema: Decision } },
    handler: async (ctx) => {
      assertResources([{ resource: ctx.body.resource, at: 'resource', access: ctx.body.access, accessAt: 'access' }]);
      const subject = await subjectFor(ctx, ctx.body.principal);
      return json(200, await decide(ctx.platform, subject, ctx.body.access, ctx.body.resource, accessTimeOf(ctx.body.accessTime)));
    },
  }),
  route({
    method: 'POST', path: `${base}/decide/batch`, operationId: 'policies.decideBatch', tags: ['policies'], auth: 'required', audit: false, scope: DECIDE_SCOPES, body: DecideBatchRequest,
    summary: 'Decide many requests for one principal in one call; decisions come back in request order.',
    responses: { 200: { description: 'The decisions', schema: DecisionBatch } },
    handler: async (ctx) => {
      assertResources(ctx.body.requests.map((r, i) => ({ resource: r.resource, at: `requests.${i}.resource`, access: r.access, accessAt: `requests.${i}.access` })));
      const subject = await subjectFor(ctx, ctx.body.principal);
      const at = accessTimeOf(ctx.body.accessTime);
      const decisions = [];
      for (const r of ctx.body.requests) decisions.push(await decide(ctx.platform, subject, r.access, r.resource, at));
      return json(200, { decisions });
    },
  }),
];
