import type { Principal } from '../../../shared/auth/index.js';
import { json, route, type RouteDefinition } from '../../../shared/http/index.js';
import { DISCOVERY_BASE, checkAnnotationChange, columnResource } from '../domain/annotations.js';
import { catalogResource, parseNamespace } from '../domain/identifiers.js';
import {
  annotateColumn,
  annotateNamespace,
  annotateObject,
  annotateWarehouse,
  listColumnAnnotations,
  readColumnAnnotation,
  readNamespaceAnnotation,
  readObjectAnnotation,
  readWarehouseAnnotation,
} from '../handlers/annotations.js';
import { planSearch, runSearch } from '../handlers/search.js';
import {
  Annotation,
  AnnotationPatch,
  ColumnAnnotation,
  ColumnAnnotationList,
  ColumnAnnotationPatch,
  NamespaceAnnotationParams,
  SearchQuery,
  SearchResult,
  WarehouseAnnotationParams,
  columnAnnotationParams,
  objectAnnotationParams,
} from '../schemas/discovery-schemas.js';

/**
 * Catalog discovery on the platform API: descriptions, owners and tags of warehouses, namespaces, tables, views and
 * columns, and search across them. A namespace in a path is its levels joined by %1F, as in the Iceberg REST API,
 * so a level may contain dots: /namespaces/sales.emea is the one-level namespace "sales.emea", and
 * /namespaces/sales%1Femea the nested namespace sales > emea.
 */
const WAREHOUSE = `${DISCOVERY_BASE}/warehouses/:warehouse`;
const NAMESPACE = `${WAREHOUSE}/namespaces/:namespace`;
const TAGS = ['catalog discovery'];
const ANNOTATION_FIELDS = ['description', 'owner', 'tags', 'addTags', 'removeTags', 'tagAttributes'];
const COLUMN_ANNOTATION_FIELDS = ['description', 'tags', 'addTags', 'removeTags', 'tagAttributes'];

function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.name}`;
}

/** A namespace path parameter into levels; parseNamespace refuses a bad one as a path field. */
function levelsOf(param: string): string[] {
  return parseNamespace(param);
}

const warehouseRoutes = [
  route({
    method: 'GET', path: WAREHOUSE, operationId: 'catalog.getWarehouseAnnotations', tags: TAGS, auth: 'required', params: WarehouseAnnotationParams,
    summary: 'Read the description, owner and tags of a warehouse.', responses: { 200: { description: 'Its annotations', schema: Annotation } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:read', catalogResource(ctx.params.warehouse));
      return json(200, await readWarehouseAnnotation(ctx.platform.store.db, ctx.params.warehouse));
    },
  }),
  route({
    method: 'PATCH', path: WAREHOUSE, operationId: 'catalog.annotateWarehouse', tags: TAGS, auth: 'required', params: WarehouseAnnotationParams, body: AnnotationPatch,
    summary: 'Change the description, owner or tags of a warehouse; with version, only if nobody changed them since.',
    responses: { 200: { description: 'Its annotations after the change', schema: Annotation }, 409: { description: 'version is stale' } },
    handler: async (ctx) => {
      checkAnnotationChange(ctx.body, ANNOTATION_FIELDS);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.warehouse);
      await ctx.platform.authorizer.authorize(principal, 'catalog:warehouse:annotate', ctx.auditResource);
      return json(200, await annotateWarehouse(ctx.platform, ctx.params.warehouse, ctx.body, actorOf(principal)));
    },
  }),
];

const namespaceRoutes = [
  route({
    method: 'GET', path: NAMESPACE, operationId: 'catalog.getNamespaceAnnotations', tags: TAGS, auth: 'required', params: NamespaceAnnotationParams,
    summary: 'Read the description, owner and tags of a namespace (levels joined by %1F).', responses: { 200: { description: 'Its annotations', schema: Annotation } },
    handler: async (ctx) => {
      const levels = levelsOf(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:namespace:read', catalogResource(ctx.params.warehouse, levels));
      return json(200, await readNamespaceAnnotation(ctx.platform.store.db, ctx.params.warehouse, levels));
    },
  }),
  route({
    method: 'PATCH', path: NAMESPACE, operationId: 'catalog.annotateNamespace', tags: TAGS, auth: 'required', params: NamespaceAnnotationParams, body: AnnotationPatch,
    summary: 'Change the description, owner or tags of a namespace; with version, only if nobody changed them since.',
    responses: { 200: { description: 'Its annotations after the change', schema: Annotation }, 409: { description: 'version is stale' } },
    handler: async (ctx) => {
      const levels = levelsOf(ctx.params.namespace);
      checkAnnotationChange(ctx.body, ANNOTATION_FIELDS);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.warehouse, levels);
      await ctx.platform.authorizer.authorize(principal, 'catalog:namespace:annotate', ctx.auditResource);
      return json(200, await annotateNamespace(ctx.platform, ctx.params.warehouse, levels, ctx.body, actorOf(principal)));
    },
  }),
];

/** The same routes for tables and for views: /tables/:table and /views/:view. */
function objectRoutes(kind: 'table' | 'view'): RouteDefinition[] {
  const Kind = kind === 'table' ? 'Table' : 'View';
  const base = `${NAMESPACE}/${kind}s/:${kind}`;
  const params = objectAnnotationParams(kind);
  const columnParams = columnAnnotationParams(kind);
  const nameOf = (p: Record<string, string>) => p[kind] as string;
  return [
    route({
      method: 'GET', path: base, operationId: `catalog.get${Kind}Annotations`, tags: TAGS, auth: 'required', params,
      summary: `Read the description, owner and tags of a ${kind}.`, responses: { 200: { description: 'Its annotations', schema: Annotation } },
      handler: async (ctx) => {
        const levels = levelsOf(ctx.params.namespace);
        const name = nameOf(ctx.params);
        await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `catalog:${kind}:read`, catalogResource(ctx.params.warehouse, levels, name));
        return json(200, await readObjectAnnotation(ctx.platform.store.db, kind, ctx.params.warehouse, levels, name));
      },
    }),
    route({
      method: 'PATCH', path: base, operationId: `catalog.annotate${Kind}`, tags: TAGS, auth: 'required', params, body: AnnotationPatch,
      summary: `Change the description, owner or tags of a ${kind}; with version, only if nobody changed them since (commits do not change that version).`,
      responses: { 200: { description: 'Its annotations after the change', schema: Annotation }, 409: { description: 'version is stale' } },
      handler: async (ctx) => {
        const levels = levelsOf(ctx.params.namespace);
        const name = nameOf(ctx.params);
        checkAnnotationChange(ctx.body, ANNOTATION_FIELDS);
        const principal = ctx.requirePrincipal();
        ctx.auditResource = catalogResource(ctx.params.warehouse, levels, name);
        await ctx.platform.authorizer.authorize(principal, `catalog:${kind}:annotate`, ctx.auditResource);
        return json(200, await annotateObject(ctx.platform, kind, ctx.params.warehouse, levels, name, ctx.body, actorOf(principal)));
      },
    }),
    route({
      method: 'GET', path: `${base}/columns`, operationId: `catalog.list${Kind}Columns`, tags: TAGS, auth: 'required', params,
      summary: `The columns of a ${kind}'s current schema (nested fields by their full name), each with its description and tags.`,
      responses: { 200: { description: 'Its columns, in schema order', schema: ColumnAnnotationList } },
      handler: async (ctx) => {
        const levels = levelsOf(ctx.params.namespace);
        const name = nameOf(ctx.params);
        await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `catalog:${kind}:read`, catalogResource(ctx.params.warehouse, levels, name));
        return json(200, await listColumnAnnotations(ctx.platform.store.db, kind, ctx.params.warehouse, levels, name));
      },
    }),
    route({
      method: 'GET', path: `${base}/columns/:column`, operationId: `catalog.get${Kind}ColumnAnnotations`, tags: TAGS, auth: 'required', params: columnParams,
      summary: `Read the description and tags of a column of a ${kind}.`, responses: { 200: { description: 'The column and its annotations', schema: ColumnAnnotation } },
      handler: async (ctx) => {
        const levels = levelsOf(ctx.params.namespace);
        const name = nameOf(ctx.params);
        await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:column:read', columnResource(ctx.params.warehouse, levels, name, ctx.params.column));
        return json(200, await readColumnAnnotation(ctx.platform.store.db, kind, ctx.params.warehouse, levels, name, ctx.params.column));
      },
    }),
    route({
      method: 'PATCH', path: `${base}/columns/:column`, operationId: `catalog.annotate${Kind}Column`, tags: TAGS, auth: 'required', params: columnParams, body: ColumnAnnotationPatch,
      summary: `Change the description or tags of a column of a ${kind}. They are kept by field id: they follow a renamed column.`,
      responses: { 200: { description: 'The column and its annotations after the change', schema: ColumnAnnotation }, 409: { description: 'version is stale' } },
      handler: async (ctx) => {
        const levels = levelsOf(ctx.params.namespace);
        const name = nameOf(ctx.params);
        checkAnnotationChange(ctx.body, COLUMN_ANNOTATION_FIELDS);
        const principal = ctx.requirePrincipal();
        ctx.auditResource = columnResource(ctx.params.warehouse, levels, name, ctx.params.column);
        await ctx.platform.authorizer.authorize(principal, 'catalog:column:annotate', ctx.auditResource);
        return json(200, await annotateColumn(ctx.platform, kind, ctx.params.warehouse, levels, name, ctx.params.column, ctx.body, actorOf(principal)));
      },
    }),
  ];
}

const searchRoute = route({
  method: 'GET', path: `${DISCOVERY_BASE}/search`, operationId: 'catalog.search', tags: TAGS, auth: 'required', query: SearchQuery,
  summary: 'Find warehouses, namespaces, tables, views and columns by words in their names, descriptions, tags and column names, ranked; filter by kind, warehouse, namespace, tag and owner.',
  responses: { 200: { description: 'A page of hits, best first', schema: SearchResult } },
  handler: async (ctx) => {
    const plan = planSearch(ctx.query);
    const principal = ctx.requirePrincipal();
    await ctx.platform.authorizer.authorize(principal, 'catalog:search:read', plan.scope);
    return json(200, await runSearch(ctx.platform, principal, plan));
  },
});

export const discoveryRoutes: RouteDefinition[] = [...warehouseRoutes, ...namespaceRoutes, ...objectRoutes('table'), ...objectRoutes('view'), searchRoute];
