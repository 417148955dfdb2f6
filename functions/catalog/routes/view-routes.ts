import { json, noContent } from '../../../shared/http/index.js';
import { catalogResource, parseNamespace, validateLevels, validateName } from '../domain/identifiers.js';
import { mutate } from '../handlers/idempotency.js';
import { dropObject, listObjects, renameObject } from '../handlers/tables.js';
import { commitView, createView, loadViewResult, registerView } from '../handlers/views.js';
import { requireObject } from '../store/catalog-objects.js';
import { CommitViewRequest, CreateViewRequest, ListQuery, NamespaceParams, PrefixParams, RegisterViewRequest, RenameTableRequest, ViewParams } from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, actorOf, icebergRoute } from './iceberg-route.js';

export const viewRoutes = [
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces/:namespace/views', operationId: 'iceberg.listViews', params: NamespaceParams, query: ListQuery,
    summary: 'List the views of a namespace.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:list', catalogResource(ctx.params.prefix, levels));
      const page = await listObjects(ctx.platform.store.db, 'view', ctx.params.prefix, levels, ctx.query.pageToken, ctx.query.pageSize);
      // Only what the caller may see; a page may come back shorter than asked (the spec allows it).
      const visible = await ctx.platform.authorizer.visible(principal, page.identifiers.map((id) => catalogResource(ctx.params.prefix, id.namespace, id.name)));
      return json(200, { ...page, identifiers: page.identifiers.filter((_, i) => visible[i]) });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/views', operationId: 'iceberg.createView', params: NamespaceParams, body: CreateViewRequest,
    summary: 'Create a view.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      validateName(ctx.body.name, 'name');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.body.name);
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:create', ctx.auditResource);
      return mutate(ctx, `createView ${ctx.auditResource}`, async (tx) => json(200, await createView(tx, ctx.platform, ctx.params.prefix, levels, ctx.body, actorOf(principal))));
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/register-view', operationId: 'iceberg.registerView', params: NamespaceParams, body: RegisterViewRequest,
    summary: 'Register a view from an existing view metadata file in the warehouse.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      validateName(ctx.body.name, 'name');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.body.name);
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:register', ctx.auditResource);
      return mutate(ctx, `registerView ${ctx.auditResource}`, async (tx) => json(200, await registerView(tx, ctx.platform, ctx.params.prefix, levels, ctx.body.name, ctx.body['metadata-location'], actorOf(principal))));
    },
  }),
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces/:namespace/views/:view', operationId: 'iceberg.loadView', params: ViewParams,
    summary: 'Load a view.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:view:read', catalogResource(ctx.params.prefix, levels, ctx.params.view));
      const { object } = await requireObject(ctx.platform.store.db, 'view', ctx.params.prefix, levels, ctx.params.view);
      return json(200, loadViewResult(object.metadata_location, object.metadata));
    },
  }),
  icebergRoute({
    method: 'HEAD', path: '/v1/:prefix/namespaces/:namespace/views/:view', operationId: 'iceberg.viewExists', params: ViewParams,
    summary: 'Whether a view exists: 204 or 404, no body.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:view:read', catalogResource(ctx.params.prefix, levels, ctx.params.view));
      await requireObject(ctx.platform.store.db, 'view', ctx.params.prefix, levels, ctx.params.view);
      return noContent();
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/views/:view', operationId: 'iceberg.replaceView', params: ViewParams, body: CommitViewRequest,
    summary: 'Replace a view: requirements checked, updates applied, a new metadata file written.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.params.view);
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:commit', ctx.auditResource);
      return mutate(ctx, `replaceView ${ctx.auditResource}`, async (tx) => json(200, await commitView(tx, ctx.platform, ctx.params.prefix, levels, ctx.params.view, ctx.body, actorOf(principal))));
    },
  }),
  icebergRoute({
    method: 'DELETE', path: '/v1/:prefix/namespaces/:namespace/views/:view', operationId: 'iceberg.dropView', params: ViewParams,
    summary: 'Drop a view.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.params.view);
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:drop', ctx.auditResource);
      return mutate(ctx, `dropView ${ctx.auditResource}`, async (tx) => {
        await dropObject(tx, ctx.platform, 'view', ctx.params.prefix, levels, ctx.params.view, false, actorOf(principal));
        return noContent();
      });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/views/rename', operationId: 'iceberg.renameView', params: PrefixParams, body: RenameTableRequest,
    summary: 'Rename a view, or move it to another namespace of the warehouse.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const { source, destination } = ctx.body;
      validateLevels(destination.namespace, 'destination.namespace');
      validateName(destination.name, 'destination.name');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, source.namespace, source.name);
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:rename', ctx.auditResource);
      await ctx.platform.authorizer.authorize(principal, 'catalog:view:create', catalogResource(ctx.params.prefix, destination.namespace, destination.name));
      return mutate(ctx, `renameView ${ctx.auditResource}`, async (tx) => {
        await renameObject(tx, ctx.platform, 'view', ctx.params.prefix, source, destination, actorOf(principal));
        return noContent();
      });
    },
  }),
];
