import { ForbiddenError } from '../../../shared/errors/index.js';
import { ifMatchVersion, json, noContent, route, type RequestContext } from '../../../shared/http/index.js';
import { findLakehouse, LakehousePatch, LakehouseSpec, toLakehouse } from '../../../shared/domains/lakehouses/index.js';
import { actorOf, authorizeLakehouse, lakehouseOf } from '../handlers/lakehouse-access.js';
import { createLakehouse, deleteLakehouse, lakehouseActivity, listLakehouses, updateLakehouse } from '../handlers/lakehouses.js';
import { ActivityPage, ActivityQuery, Lakehouse, LakehouseParams, LakehousePage, ListLakehousesQuery } from '../schemas.js';

const base = '/api/v1/lakehouses';

/** Only an admin gives a lakehouse to someone else. */
function ownerFor(ctx: RequestContext<unknown, unknown, unknown>, asked: string | undefined): string {
  const p = ctx.requirePrincipal();
  if (asked !== undefined && asked !== p.name && !p.isAdmin) throw new ForbiddenError(`only admins create or give lakehouses owned by someone else (owner ${asked})`);
  return asked ?? p.name;
}

export const lakehouseRoutes = [
  route({
    method: 'POST', path: base, operationId: 'lakehouses.createLakehouse', tags: ['lakehouses'], auth: 'required', body: LakehouseSpec,
    summary: 'Define a lakehouse (STOPPED until started).', responses: { 201: { description: 'Created', schema: Lakehouse }, 409: { description: 'A lakehouse of that name exists' } },
    handler: async (ctx) => {
      ctx.auditResource = `lakehouses/${ctx.body.name}`;
      const owner = ownerFor(ctx, ctx.body.owner);
      await authorizeLakehouse(ctx, 'create', ctx.auditResource, { owner, spec: ctx.body });
      const lakehouse = await createLakehouse(ctx.platform, ctx.body, owner, actorOf(ctx));
      ctx.auditResource = `lakehouses/${lakehouse.id}`;
      return json(201, lakehouse, { location: `${base}/${lakehouse.id}`, etag: `"${lakehouse.version}"` });
    },
  }),
  route({
    method: 'GET', path: base, operationId: 'lakehouses.listLakehouses', tags: ['lakehouses'], auth: 'required', query: ListLakehousesQuery,
    summary: 'List lakehouses (oldest first), by owner, state, tag or part of the name.', responses: { 200: { description: 'A page of lakehouses', schema: LakehousePage } },
    handler: async (ctx) => {
      await authorizeLakehouse(ctx, 'list', 'lakehouses', undefined);
      return json(200, await listLakehouses(ctx.platform.store.db, ctx.query));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'lakehouses.getLakehouse', tags: ['lakehouses'], auth: 'required', params: LakehouseParams,
    summary: 'Read a lakehouse (by id or name): its definition, state, endpoints while it runs, and whether a change waits for a restart.',
    responses: { 200: { description: 'The lakehouse', schema: Lakehouse } },
    handler: async (ctx) => {
      const row = await findLakehouse(ctx.platform.store.db, ctx.params.id);
      await authorizeLakehouse(ctx, 'read', `lakehouses/${row.id}`, lakehouseOf(row));
      return json(200, toLakehouse(row), { etag: `"${row.version}"` });
    },
  }),
  route({
    method: 'PATCH', path: `${base}/:id`, operationId: 'lakehouses.updateLakehouse', tags: ['lakehouses'], auth: 'required', params: LakehouseParams, body: LakehousePatch,
    summary: 'Change a lakehouse: the given fields replace the stored ones (null removes an optional one). Sizes, Spark settings and the image take effect at the next start ("restartRequired" until then). With If-Match: "<version>", only if nobody changed it since (409 otherwise).',
    responses: { 200: { description: 'The lakehouse after the change', schema: Lakehouse }, 409: { description: 'Stale If-Match, or it is being deleted' } },
    handler: async (ctx) => {
      const current = await findLakehouse(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `lakehouses/${current.id}`;
      await authorizeLakehouse(ctx, 'update', ctx.auditResource, lakehouseOf(current));
      const owner = ctx.body.owner === undefined ? undefined : ownerFor(ctx, ctx.body.owner);
      const executors = { ...lakehouseOf(current).spec.executors, ...(ctx.body.executors ?? {}) };
      await authorizeLakehouse(ctx, 'update', ctx.auditResource, { owner: owner ?? current.owner, spec: { executors } });
      const lakehouse = await updateLakehouse(ctx.platform, current.id, ctx.body, owner, ifMatchVersion(ctx.headers['if-match'], 'lakehouse'), actorOf(ctx), (locked) => {
        if (locked.owner !== current.owner) throw new ForbiddenError(`lakehouse ${locked.name} changed owner meanwhile; read it again`);
      });
      return json(200, lakehouse, { etag: `"${lakehouse.version}"` });
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id`, operationId: 'lakehouses.deleteLakehouse', tags: ['lakehouses'], auth: 'required', params: LakehouseParams,
    summary: 'Delete a lakehouse: at once when stopped (204), else DELETING while its workload stops, then gone (202). Its activity stays.',
    responses: { 202: { description: 'Deleting', schema: Lakehouse }, 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      const current = await findLakehouse(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `lakehouses/${current.id}`;
      await authorizeLakehouse(ctx, 'delete', ctx.auditResource, lakehouseOf(current));
      const result = await deleteLakehouse(ctx.platform, current.id, ifMatchVersion(ctx.headers['if-match'], 'lakehouse'), actorOf(ctx), (locked) => {
        if (locked.owner !== current.owner) throw new ForbiddenError(`lakehouse ${locked.name} changed owner meanwhile; read it again`);
      });
      return result.gone ? noContent() : json(202, result.lakehouse);
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/activity`, operationId: 'lakehouses.lakehouseActivity', tags: ['lakehouses'], auth: 'required', params: LakehouseParams, query: ActivityQuery,
    summary: 'Every state change (with its source), action and change of a lakehouse, oldest first; a deleted lakehouse\'s too, by id.',
    responses: { 200: { description: 'A page of activity', schema: ActivityPage } },
    handler: async (ctx) => {
      const db = ctx.platform.store.db;
      const row = await findLakehouse(db, ctx.params.id).catch(async (err: unknown) => {
        // A deleted lakehouse keeps its history: found by id in it.
        const kept = await db.selectFrom('lakehouse_activity').select(['lakehouse_id']).where('lakehouse_id', '=', /^[0-9a-f-]{36}$/i.test(ctx.params.id) ? ctx.params.id : '00000000-0000-0000-0000-000000000000').limit(1).executeTakeFirst();
        if (!kept) throw err;
        return undefined;
      });
      const id = row?.id ?? ctx.params.id;
      await authorizeLakehouse(ctx, 'read', `lakehouses/${id}`, row ? lakehouseOf(row) : undefined);
      return json(200, await lakehouseActivity(db, id, ctx.query));
    },
  }),
];
