import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { withDatabaseErrors, type Executor } from '../../../shared/db/index.js';
import { NotFoundError, ValidationError } from '../../../shared/errors/index.js';
import { json, noContent, route, type RequestContext } from '../../../shared/http/index.js';
import { newWebhookSecret } from '../domain/signature.js';
import { allowedRanges, checkTarget, TargetRefusedError } from '../targets/index.js';

const base = '/api/v1/webhooks';
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const EventTypes = Type.Array(Type.String({ pattern: '^(\\*|io\\.lakeplane\\.[a-z0-9.-]+\\*?)$', maxLength: 256, description: 'An event type, a prefix ending in * (io.lakeplane.jobs.*), or * for every platform event.' }), { minItems: 1, maxItems: 100, uniqueItems: true });
const Url = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });
const CreateBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), url: Url, eventTypes: EventTypes }, { additionalProperties: false });
const UpdateBody = Type.Object({ url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), enabled: Type.Optional(Type.Boolean({ description: 'true re-enables a subscription that was disabled (its failure count starts over).' })) }, { additionalProperties: false });
const Subscription = Type.Object({
  id: Type.String(), name: Type.String(), url: Type.String(), eventTypes: Type.Array(Type.String()), enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]), consecutiveFailures: Type.Integer(), createdAt: Type.String(), createdBy: Type.Union([Type.String(), Type.Null()]),
  secret: Type.Optional(Type.String({ description: 'Shown when the subscription is made: verify signatures with it (Standard Webhooks).' })),
});
const Delivery = Type.Object({
  eventId: Type.String(), eventType: Type.String(), status: Type.String(), attempts: Type.Integer(), lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(), deliveredAt: Type.Union([Type.String(), Type.Null()]), nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
});

type Row = { id: string; name: string; url: string; event_types: string[]; enabled: boolean; disabled_reason: string | null; consecutive_failures: number; created_at: Date; created_by: string | null };
const toApi = (r: Row) => ({ id: r.id, name: r.name, url: r.url, eventTypes: r.event_types, enabled: r.enabled, disabledReason: r.disabled_reason, consecutiveFailures: r.consecutive_failures, createdAt: r.created_at.toISOString(), createdBy: r.created_by });

async function requireSubscription(db: Executor, id: string) {
  const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`webhook subscription ${id} does not exist`);
  return row;
}
/**
 * Refuses a URL whose host is or resolves to an internal address (400 naming the field). Called after authorize():
 * resolving names for callers who may not subscribe would let them probe the cluster's DNS.
 */
async function requireReachableTarget(ctx: RequestContext<unknown, unknown, unknown>, url: string): Promise<void> {
  try {
    await checkTarget(url, allowedRanges(ctx.platform.config));
  } catch (err) {
    if (err instanceof TargetRefusedError) throw new ValidationError([{ in: 'body', field: 'url', message: `refused as a webhook target: ${err.message}` }]);
    throw err;
  }
}
const admin = (ctx: RequestContext<unknown, unknown, unknown>, verb: string, resource: string) => ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `webhooks:subscription:${verb}`, resource);

export const webhookRoutes = [
  route({
    method: 'POST', path: base, operationId: 'webhooks.create', tags: ['webhooks'], auth: 'required', body: CreateBody,
    summary: 'Subscribe a URL to platform events: each is POSTed as a CloudEvent, signed the Standard Webhooks way with the secret shown once here.',
    responses: { 201: { description: 'The subscription, with its secret', schema: Subscription } },
    handler: async (ctx) => {
      await admin(ctx, 'create', 'webhooks');
      await requireReachableTarget(ctx, ctx.body.url);
      const p = ctx.requirePrincipal();
      const secret = newWebhookSecret();
      const row = await withDatabaseErrors(`webhook subscription "${ctx.body.name}"`, () =>
        ctx.platform.store.db.insertInto('webhook_subscriptions').values({ id: randomUUID(), name: ctx.body.name, url: ctx.body.url, event_types: ctx.body.eventTypes, secret, created_by: `${p.kind}:${p.name}` }).returningAll().executeTakeFirstOrThrow(),
      );
      ctx.auditResource = `webhooks/${row.id}`;
      return json(201, { ...toApi(row), secret }, { location: `${base}/${row.id}` });
    },
  }),
  route({
    method: 'GET', path: base, operationId: 'webhooks.list', tags: ['webhooks'], auth: 'required', summary: 'List webhook subscriptions.',
    responses: { 200: { description: 'The subscriptions', schema: Type.Object({ items: Type.Array(Subscription) }) } },
    handler: async (ctx) => {
      await admin(ctx, 'list', 'webhooks');
      const rows = await ctx.platform.store.db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute();
      return json(200, { items: rows.map(toApi) });
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'webhooks.get', tags: ['webhooks'], auth: 'required', params: IdParams, summary: 'Read a subscription (enabled or why not).',
    responses: { 200: { description: 'The subscription', schema: Subscription } },
    handler: async (ctx) => {
      await admin(ctx, 'read', `webhooks/${ctx.params.id}`);
      return json(200, toApi(await requireSubscription(ctx.platform.store.db, ctx.params.id)));
    },
  }),
  route({
    method: 'PATCH', path: `${base}/:id`, operationId: 'webhooks.update', tags: ['webhooks'], auth: 'required', params: IdParams, body: UpdateBody,
    summary: 'Change the URL or event types, or enable a disabled subscription again.', responses: { 200: { description: 'The subscription', schema: Subscription } },
    handler: async (ctx) => {
      ctx.auditResource = `webhooks/${ctx.params.id}`;
      await admin(ctx, 'update', ctx.auditResource);
      await requireSubscription(ctx.platform.store.db, ctx.params.id);
      const b = ctx.body;
      if (b.url) await requireReachableTarget(ctx, b.url);
      const row = await ctx.platform.store.db
        .updateTable('webhook_subscriptions')
        .set({
          ...(b.url ? { url: b.url } : {}),
          ...(b.eventTypes ? { event_types: b.eventTypes } : {}),
          ...(b.enabled === true ? { enabled: true, disabled_reason: null, consecutive_failures: 0 } : {}),
          ...(b.enabled === false ? { enabled: false, disabled_reason: 'disabled by an admin' } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', ctx.params.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return json(200, toApi(row));
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id`, operationId: 'webhooks.delete', tags: ['webhooks'], auth: 'required', params: IdParams, summary: 'Delete a subscription and its delivery log.',
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = `webhooks/${ctx.params.id}`;
      await admin(ctx, 'delete', ctx.auditResource);
      await requireSubscription(ctx.platform.store.db, ctx.params.id);
      await ctx.platform.store.db.deleteFrom('webhook_subscriptions').where('id', '=', ctx.params.id).execute();
      return noContent();
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/deliveries`, operationId: 'webhooks.deliveries', tags: ['webhooks'], auth: 'required', params: IdParams,
    query: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }, { additionalProperties: false }),
    summary: 'The delivery log of a subscription, newest first: every event, its tries and the last answer.', responses: { 200: { description: 'Deliveries', schema: Type.Object({ items: Type.Array(Delivery) }) } },
    handler: async (ctx) => {
      await admin(ctx, 'read', `webhooks/${ctx.params.id}`);
      await requireSubscription(ctx.platform.store.db, ctx.params.id);
      let q = ctx.platform.store.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', ctx.params.id);
      if (ctx.query.status) q = q.where('status', '=', ctx.query.status);
      const rows = await q.orderBy('id', 'desc').limit(ctx.query.pageSize ?? 100).execute();
      return json(200, {
        items: rows.map((r) => ({
          eventId: r.event_id, eventType: r.event_type, status: r.status, attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error,
          createdAt: r.created_at.toISOString(), deliveredAt: r.delivered_at?.toISOString() ?? null, nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
        })),
      });
    },
  }),
];
