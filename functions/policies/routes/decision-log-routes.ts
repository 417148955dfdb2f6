import { Type } from '@sinclair/typebox';
import { json, route } from '../../../shared/http/index.js';

const Query = Type.Object(
  {
    principal: Type.Optional(Type.String({ maxLength: 512, description: 'kind:name, e.g. user:ada' })),
    kind: Type.Optional(Type.Union([Type.Literal('data'), Type.Literal('control')])),
    allowed: Type.Optional(Type.Boolean()),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    // A row id, at most 18 digits: a bigserial never gets near, and 19 could pass int8's 2^63 - 1 (a 500 in PostgreSQL).
    pageToken: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextPageToken of the previous page' })),
  },
  { additionalProperties: false },
);

const Entry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String(),
  principal: Type.String(),
  action: Type.String(),
  resource: Type.String(),
  allowed: Type.Boolean(),
  policyId: Type.Union([Type.String(), Type.Null()]),
  policyVersion: Type.Union([Type.Integer(), Type.Null()]),
  setVersion: Type.Integer({ description: 'data: the policy set\'s version; control: the control version (bundle activation) in force.' }),
  input: Type.Unknown(),
  result: Type.Unknown(),
});

export const decisionLogRoutes = [
  route({
    method: 'GET', path: '/api/v1/policies/decisions', operationId: 'policies.decisionLog', tags: ['policies'], auth: 'required', query: Query,
    summary: 'The decision log, newest first: data decisions whose policy audits, and every refused platform action, with input, answer and versions. Written within a second of the decision.',
    responses: { 200: { description: 'A page of decisions', schema: Type.Object({ items: Type.Array(Entry), nextPageToken: Type.Union([Type.String(), Type.Null()]) }) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'policies:decisions:read', 'policies/decisions');
      const size = ctx.query.pageSize ?? 100;
      let q = ctx.platform.store.db.selectFrom('policy_decision_log').selectAll().orderBy('id', 'desc').limit(size + 1);
      if (ctx.query.principal) q = q.where('principal', '=', ctx.query.principal);
      if (ctx.query.kind) q = q.where('kind', '=', ctx.query.kind);
      if (ctx.query.allowed !== undefined) q = q.where('allowed', '=', ctx.query.allowed);
      if (ctx.query.pageToken) q = q.where('id', '<', ctx.query.pageToken);
      const rows = await q.execute();
      const page = rows.slice(0, size);
      return json(200, {
        items: page.map((r) => ({ id: r.id, at: r.at.toISOString(), kind: r.kind, principal: r.principal, action: r.action, resource: r.resource, allowed: r.allowed, policyId: r.policy_id, policyVersion: r.policy_version, setVersion: Number(r.set_version), input: r.input, result: r.result })),
        nextPageToken: rows.length > size ? page[page.length - 1]!.id : null,
      });
    },
  }),
];
