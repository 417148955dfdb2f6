import { operation, type RouteDefinition } from '../../../shared/http/index.js';
import { catalogObject } from '../../../shared/policy/index.js';
import { DISCOVERY_BASE, checkAnnotationChange, type AnnotationChange } from '../domain/annotations.js';
import { parseNamespace } from '../domain/identifiers.js';
import { annotateColumn } from '../handlers/annotations/annotate-column.js';
import { annotateNamespace } from '../handlers/annotations/annotate-namespace.js';
import { annotateObject } from '../handlers/annotations/annotate-object.js';
import { annotateWarehouse } from '../handlers/annotations/annotate-warehouse.js';
import { listColumns } from '../handlers/annotations/list-columns.js';
import { readColumnAnnotations } from '../handlers/annotations/read-column.js';
import { readNamespaceAnnotations } from '../handlers/annotations/read-namespace.js';
import { readObjectAnnotations } from '../handlers/annotations/read-object.js';
import { readWarehouseAnnotations } from '../handlers/annotations/read-warehouse.js';
import { planSearch } from '../handlers/search/plan.js';
import { search } from '../handlers/search/search.js';
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
import type { ObjectKind } from '../store/catalog-objects.js';

/**
 * Catalog discovery on the platform API: descriptions, owners and tags of warehouses, namespaces, tables, views and
 * columns, and search across them. A namespace in a path is its levels joined by %1F, as in the Iceberg REST API,
 * so a level may contain dots: /namespaces/sales.emea is the one-level namespace "sales.emea", and
 * /namespaces/sales%1Femea the nested namespace sales > emea.
 *
 * Each resource is built from the request, and what makes it invalid is refused there, before the authorization
 * is decided: a bad namespace or a change that changes nothing is a 400 whoever asks, as it always was.
 */
const WAREHOUSE = `${DISCOVERY_BASE}/warehouses/:warehouse`;
const NAMESPACE = `${WAREHOUSE}/namespaces/:namespace`;
const TAGS = ['catalog discovery'];
const ANNOTATION_FIELDS = ['description', 'owner', 'tags', 'addTags', 'removeTags', 'tagAttributes'];
const COLUMN_ANNOTATION_FIELDS = ['description', 'tags', 'addTags', 'removeTags', 'tagAttributes'];

type Params = { warehouse: string; namespace?: string; column?: string } & Partial<Record<ObjectKind, string>>;

/** The annotated thing a request names: a warehouse, a namespace (levels joined by %1F), a table or view, a column. */
function target(params: Params, kind?: ObjectKind) {
  const levels = params.namespace === undefined ? undefined : parseNamespace(params.namespace);
  return catalogObject(params.warehouse, levels, kind && params[kind], params.column);
}

/** The same for a change, whose own rules (something changes; tags replaced or edited, not both) are checked here too. */
function changed(fields: readonly string[], kind?: ObjectKind) {
  return ({ params, body }: { params: Params; body: AnnotationChange }) => {
    const resource = target(params, kind);
    checkAnnotationChange(body, fields);
    return resource;
  };
}

const warehouseRoutes = [
  operation({
    method: 'GET',
    path: WAREHOUSE,
    operationId: 'catalog.getWarehouseAnnotations',
    tags: TAGS,
    params: WarehouseAnnotationParams,
    summary: 'Read the description, owner and tags of a warehouse.',
    responses: { 200: { description: 'Its annotations', schema: Annotation } },
    authorization: { action: 'catalog:warehouse:read', resource: ({ params }) => target(params) },
    handler: readWarehouseAnnotations,
  }),
  operation({
    method: 'PATCH',
    path: WAREHOUSE,
    operationId: 'catalog.annotateWarehouse',
    tags: TAGS,
    params: WarehouseAnnotationParams,
    body: AnnotationPatch,
    summary: 'Change the description, owner or tags of a warehouse; with version, only if nobody changed them since.',
    responses: { 200: { description: 'Its annotations after the change', schema: Annotation }, 409: { description: 'version is stale' } },
    authorization: { action: 'catalog:warehouse:annotate', resource: changed(ANNOTATION_FIELDS) },
    handler: annotateWarehouse,
  }),
];

const namespaceRoutes = [
  operation({
    method: 'GET',
    path: NAMESPACE,
    operationId: 'catalog.getNamespaceAnnotations',
    tags: TAGS,
    params: NamespaceAnnotationParams,
    summary: 'Read the description, owner and tags of a namespace (levels joined by %1F).',
    responses: { 200: { description: 'Its annotations', schema: Annotation } },
    authorization: { action: 'catalog:namespace:read', resource: ({ params }) => target(params) },
    handler: readNamespaceAnnotations,
  }),
  operation({
    method: 'PATCH',
    path: NAMESPACE,
    operationId: 'catalog.annotateNamespace',
    tags: TAGS,
    params: NamespaceAnnotationParams,
    body: AnnotationPatch,
    summary: 'Change the description, owner or tags of a namespace; with version, only if nobody changed them since.',
    responses: { 200: { description: 'Its annotations after the change', schema: Annotation }, 409: { description: 'version is stale' } },
    authorization: { action: 'catalog:namespace:annotate', resource: changed(ANNOTATION_FIELDS) },
    handler: annotateNamespace,
  }),
];

/** The same routes for tables and for views: /tables/:table and /views/:view. */
function objectRoutes(kind: ObjectKind): RouteDefinition[] {
  const Kind = kind === 'table' ? 'Table' : 'View';
  const base = `${NAMESPACE}/${kind}s/:${kind}`;
  const params = objectAnnotationParams(kind);
  const columnParams = columnAnnotationParams(kind);
  return [
    operation({
      method: 'GET',
      path: base,
      operationId: `catalog.get${Kind}Annotations`,
      tags: TAGS,
      params,
      summary: `Read the description, owner and tags of a ${kind}.`,
      responses: { 200: { description: 'Its annotations', schema: Annotation } },
      authorization: { action: `catalog:${kind}:read`, resource: ({ params }) => target(params, kind) },
      handler: readObjectAnnotations(kind),
    }),
    operation({
      method: 'PATCH',
      path: base,
      operationId: `catalog.annotate${Kind}`,
      tags: TAGS,
      params,
      body: AnnotationPatch,
      summary: `Change the description, owner or tags of a ${kind}; with version, only if nobody changed them since (commits do not change that version).`,
      responses: { 200: { description: 'Its annotations after the change', schema: Annotation }, 409: { description: 'version is stale' } },
      authorization: { action: `catalog:${kind}:annotate`, resource: changed(ANNOTATION_FIELDS, kind) },
      handler: annotateObject(kind),
    }),
    operation({
      method: 'GET',
      path: `${base}/columns`,
      operationId: `catalog.list${Kind}Columns`,
      tags: TAGS,
      params,
      summary: `The columns of a ${kind}'s current schema (nested fields by their full name), each with its description and tags.`,
      responses: { 200: { description: 'Its columns, in schema order', schema: ColumnAnnotationList } },
      authorization: { action: `catalog:${kind}:read`, resource: ({ params }) => target(params, kind) },
      handler: listColumns(kind),
    }),
    operation({
      method: 'GET',
      path: `${base}/columns/:column`,
      operationId: `catalog.get${Kind}ColumnAnnotations`,
      tags: TAGS,
      params: columnParams,
      summary: `Read the description and tags of a column of a ${kind}.`,
      responses: { 200: { description: 'The column and its annotations', schema: ColumnAnnotation } },
      authorization: { action: 'catalog:column:read', resource: ({ params }) => target(params, kind) },
      handler: readColumnAnnotations(kind),
    }),
    operation({
      method: 'PATCH',
      path: `${base}/columns/:column`,
      operationId: `catalog.annotate${Kind}Column`,
      tags: TAGS,
      params: columnParams,
      body: ColumnAnnotationPatch,
      summary: `Change the description or tags of a column of a ${kind}. They are kept by field id: they follow a renamed column.`,
      responses: {
        200: { description: 'The column and its annotations after the change', schema: ColumnAnnotation },
        409: { description: 'version is stale' },
      },
      authorization: { action: 'catalog:column:annotate', resource: changed(COLUMN_ANNOTATION_FIELDS, kind) },
      handler: annotateColumn(kind),
    }),
  ];
}

const searchRoute = operation({
  method: 'GET',
  path: `${DISCOVERY_BASE}/search`,
  operationId: 'catalog.search',
  tags: TAGS,
  query: SearchQuery,
  summary:
    'Find warehouses, namespaces, tables, views and columns by words in their names, descriptions, tags and column names, ranked; filter by kind, warehouse, namespace, tag and owner.',
  responses: { 200: { description: 'A page of hits, best first', schema: SearchResult } },
  // The scope searched (the catalog, a warehouse or a namespace) is the plan's; a query that cannot be planned is a 400.
  authorization: { action: 'catalog:search:read', resource: ({ query }) => planSearch(query).scope },
  handler: search,
});

export const discoveryRoutes: RouteDefinition[] = [...warehouseRoutes, ...namespaceRoutes, ...objectRoutes('table'), ...objectRoutes('view'), searchRoute];
