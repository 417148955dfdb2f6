import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { json, noContent, route, decodeCursor, pageOf } from '../../../shared/http/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';

const DeadLetter = Type.Object({
  id: Type.String(),
  source: Type.String(),
  type: Type.String(),
  subject: Type.Union([Type.String(), Type.Null()]),
  time: Type.String({ format: 'date-time' }),
  data: Type.Unknown(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deadAt: Type.String({ format: 'date-time' }),
});
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const ListQuery = Type.Object(
  {
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    pageToken: Type.Optional(Type.String({ maxLength: 512 })),
    type: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const deadLetterRoutes = [
  route({
    method: 'GET', path: '/api/v1/events/dead-letters', operationId: 'events.listDeadLetters', tags: ['events'], auth: 'required',
    summary: 'Events whose delivery failed past the retry limit.', query: ListQuery,
    responses: { 200: { description: 'A page of dead letters', schema: Type.Object({ items: Type.Array(DeadLetter), nextPageToken: Type.Union([Type.String(), Type.Null()]) }) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'events:dead-letters:list', 'events/dead-letters');
      const size = ctx.query.pageSize ?? 50;
      const cursor = decodeCursor(ctx.query.pageToken);
      let q = ctx.platform.store.db.selectFrom('dead_letters').selectAll().select('dead_at as created_at');
      if (ctx.query.type) q = q.where('type', '=', ctx.query.type);
      if (cursor) q = q.where((eb) => eb(eb.refTuple('dead_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await q.orderBy('dead_at').orderBy('id').limit(size + 1).execute();
      return json(200, pageOf(rows, size, (r) => ({ id: r.id, source: r.source, type: r.type, subject: r.subject, time: r.time.toISOString(), data: r.data, attempts: r.attempts, lastError: r.last_error, deadAt: r.dead_at.toISOString() })));
    },
  }),
  route({
    method: 'POST', path: '/api/v1/events/dead-letters/:id/redrive', operationId: 'events.redriveDeadLetter', tags: ['events'], auth: 'required',
    summary: 'Put a dead letter back in the outbox with a fresh retry budget (same event id, so consumers still deduplicate).', params: IdParams,
    responses: { 202: { description: 'Queued for delivery' } },
    handler: async (ctx) => {
      ctx.auditResource = `events/dead-letters/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'events:dead-letters:redrive', ctx.auditResource);
      await ctx.platform.store.db.transaction().execute(async (tx) => {
        const dead = await tx.deleteFrom('dead_letters').where('id', '=', ctx.params.id).returningAll().executeTakeFirst();
        if (!dead) throw new NotFoundError(`dead letter ${ctx.params.id} does not exist`);
        await tx.insertInto('outbox').values({ id: dead.id, source: dead.source, type: dead.type, subject: dead.subject, time: dead.time, data: JSON.stringify(dead.data), next_attempt_at: new Date() }).execute();
      });
      ctx.markEventsPublished();
      return json(202, { id: ctx.params.id, status: 'queued' });
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/events/dead-letters/:id', operationId: 'events.deleteDeadLetter', tags: ['events'], auth: 'required', summary: 'Discard a dead letter.', params: IdParams,
    responses: { 204: { description: 'Discarded' } },
    handler: async (ctx) => {
      ctx.auditResource = `events/dead-letters/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'events:dead-letters:delete', ctx.auditResource);
      const row = await ctx.platform.store.db.deleteFrom('dead_letters').where('id', '=', ctx.params.id).returning('id').executeTakeFirst();
      if (!row) throw new NotFoundError(`dead letter ${ctx.params.id} does not exist`);
      return noContent();
    },
  }),
  route({
    method: 'GET', path: '/api/v1/events/outbox', operationId: 'events.outboxStatus', tags: ['events'], auth: 'required',
    summary: 'Events waiting for delivery, by type, with the oldest and the last error.',
    responses: { 200: { description: 'Outbox summary' } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'events:outbox:read', 'events/outbox');
      const rows = await sql<{ type: string; pending: string; oldest: Date; max_attempts: number; last_error: string | null }>`
        select type, count(*)::text as pending, min(created_at) as oldest, max(attempts) as max_attempts,
               (array_agg(last_error order by created_at desc) filter (where last_error is not null))[1] as last_error
        from outbox group by type order by type`.execute(ctx.platform.store.db);
      return json(200, {
        transport: ctx.platform.transport.name,
        items: rows.rows.map((r) => ({ type: r.type, pending: Number(r.pending), oldest: r.oldest.toISOString(), maxAttempts: r.max_attempts, lastError: r.last_error })),
      });
    },
  }),
];
