import { json, noContent } from '../../../shared/http/index.js';
import { catalogResource, parseNamespace, validateLevels } from '../domain/identifiers.js';
import { createNamespace, dropNamespace, listNamespaces, loadNamespace, updateNamespaceProperties } from '../handlers/namespaces.js';
import { mutate } from '../handlers/idempotency.js';
import { CreateNamespaceRequest, ListNamespacesQuery, NamespaceParams, PrefixParams, UpdateNamespacePropertiesRequest } from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, actorOf, icebergRoute } from './iceberg-route.js';

export const namespaceRoutes = [
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces', operationId: 'iceberg.listNamespaces', params: PrefixParams, query: ListNamespacesQuery,
    summary: 'List namespaces, top-level or below a parent.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      // An empty parent is "absent" for backward compatibility (spec).
      const parent = ctx.query.parent ? parseNamespace(ctx.query.parent, 'parent') : undefined;
      const principal = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(principal, 'catalog:namespace:list', catalogResource(ctx.params.prefix, parent));
      const page = await listNamespaces(ctx.platform.store.db, ctx.params.prefix, parent, ctx.query.pageToken, ctx.query.pageSize);
      // A listing shows only what the caller may see; a page may come back shorter than asked (the spec allows it).
      const visible = await ctx.platform.authorizer.visible(principal, page.namespaces.map((ns) => catalogResource(ctx.params.prefix, ns)));
      return json(200, { ...page, namespaces: page.namespaces.filter((_, i) => visible[i]) });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces', operationId: 'iceberg.createNamespace', params: PrefixParams, body: CreateNamespaceRequest,
    summary: 'Create a namespace (and any missing parent levels).', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      validateLevels(ctx.body.namespace, 'namespace');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, ctx.body.namespace);
      await ctx.platform.authorizer.authorize(principal, 'catalog:namespace:create', ctx.auditResource);
      return mutate(ctx, `createNamespace ${ctx.auditResource}`, async (tx) =>
        json(200, await createNamespace(tx, ctx.platform, ctx.params.prefix, ctx.body.namespace, ctx.body.properties ?? {}, actorOf(principal).name)),
      );
    },
  }),
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces/:namespace', operationId: 'iceberg.loadNamespaceMetadata', params: NamespaceParams,
    summary: 'Load a namespace and its properties (HEAD: does it exist).', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:namespace:read', catalogResource(ctx.params.prefix, levels));
      return json(200, await loadNamespace(ctx.platform.store.db, ctx.params.prefix, levels));
    },
  }),
  icebergRoute({
    method: 'HEAD', path: '/v1/:prefix/namespaces/:namespace', operationId: 'iceberg.namespaceExists', params: NamespaceParams,
    summary: 'Whether a namespace exists: 204 or 404, no body.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:namespace:read', catalogResource(ctx.params.prefix, levels));
      await loadNamespace(ctx.platform.store.db, ctx.params.prefix, levels);
      return noContent();
    },
  }),
  icebergRoute({
    method: 'DELETE', path: '/v1/:prefix/namespaces/:namespace', operationId: 'iceberg.dropNamespace', params: NamespaceParams,
    summary: 'Drop an empty namespace (409 while it holds tables, views or namespaces).', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels);
      await ctx.platform.authorizer.authorize(principal, 'catalog:namespace:drop', ctx.auditResource);
      return mutate(ctx, `dropNamespace ${ctx.auditResource}`, async (tx) => {
        await dropNamespace(tx, ctx.platform, ctx.params.prefix, levels, actorOf(principal).name);
        return noContent();
      });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/properties', operationId: 'iceberg.updateProperties', params: NamespaceParams, body: UpdateNamespacePropertiesRequest,
    summary: 'Set and remove namespace properties; answers what was updated, removed and missing.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels);
      await ctx.platform.authorizer.authorize(principal, 'catalog:namespace:update', ctx.auditResource);
      return mutate(ctx, `updateProperties ${ctx.auditResource}`, async (tx) =>
        json(200, await updateNamespaceProperties(tx, ctx.platform, ctx.params.prefix, levels, ctx.body.updates ?? {}, ctx.body.removals ?? [], actorOf(principal).name)),
      );
    },
  }),
];
