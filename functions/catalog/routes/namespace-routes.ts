import { catalogObject, resourceText } from '../../../shared/policy/index.js';
import { catalogIdempotency } from '../handlers/idempotency.js';
import { createNamespace } from '../handlers/namespaces/create.js';
import { dropNamespace } from '../handlers/namespaces/drop.js';
import { namespaceExists } from '../handlers/namespaces/exists.js';
import { listNamespaces, parentOf } from '../handlers/namespaces/list.js';
import { loadNamespace } from '../handlers/namespaces/load.js';
import { updateProperties } from '../handlers/namespaces/update-properties.js';
import { CreateNamespaceRequest, ListNamespacesQuery, NamespaceParams, PrefixParams, UpdateNamespacePropertiesRequest } from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, icebergRoute } from './iceberg-route.js';
import { namespaceResource, newNamespaceResource, type NamespaceInput, type NewNamespaceInput } from './iceberg-resources.js';

export const namespaceRoutes = [
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces',
    operationId: 'iceberg.listNamespaces',
    params: PrefixParams,
    query: ListNamespacesQuery,
    summary: 'List namespaces, top-level or below a parent.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:namespace:list', resource: ({ params, query }) => catalogObject(params.prefix, parentOf(query)) },
    handler: listNamespaces,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces',
    operationId: 'iceberg.createNamespace',
    params: PrefixParams,
    body: CreateNamespaceRequest,
    summary: 'Create a namespace (and any missing parent levels).',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:namespace:create', resource: newNamespaceResource },
    idempotency: catalogIdempotency((input: NewNamespaceInput) => `createNamespace ${resourceText(newNamespaceResource(input))}`),
    handler: createNamespace,
  }),
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces/:namespace',
    operationId: 'iceberg.loadNamespaceMetadata',
    params: NamespaceParams,
    summary: 'Load a namespace and its properties (HEAD: does it exist).',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:namespace:read', resource: namespaceResource },
    handler: loadNamespace,
  }),
  icebergRoute({
    method: 'HEAD',
    path: '/v1/:prefix/namespaces/:namespace',
    operationId: 'iceberg.namespaceExists',
    params: NamespaceParams,
    summary: 'Whether a namespace exists: 204 or 404, no body.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:namespace:read', resource: namespaceResource },
    handler: namespaceExists,
  }),
  icebergRoute({
    method: 'DELETE',
    path: '/v1/:prefix/namespaces/:namespace',
    operationId: 'iceberg.dropNamespace',
    params: NamespaceParams,
    summary: 'Drop an empty namespace (409 while it holds tables, views or namespaces).',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:namespace:drop', resource: namespaceResource },
    idempotency: catalogIdempotency((input: NamespaceInput) => `dropNamespace ${resourceText(namespaceResource(input))}`),
    handler: dropNamespace,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/properties',
    operationId: 'iceberg.updateProperties',
    params: NamespaceParams,
    body: UpdateNamespacePropertiesRequest,
    summary: 'Set and remove namespace properties; answers what was updated, removed and missing.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:namespace:update', resource: namespaceResource },
    idempotency: catalogIdempotency((input: NamespaceInput) => `updateProperties ${resourceText(namespaceResource(input))}`),
    handler: updateProperties,
  }),
];
