import { resourceText } from '../../../shared/policy/index.js';
import { catalogIdempotency } from '../handlers/idempotency.js';
import { dropObject } from '../handlers/objects/drop.js';
import { objectExists } from '../handlers/objects/exists.js';
import { listObjects } from '../handlers/objects/list.js';
import { renameObject } from '../handlers/objects/rename.js';
import { createView } from '../handlers/views/create.js';
import { loadView } from '../handlers/views/load.js';
import { registerView } from '../handlers/views/register.js';
import { replaceView } from '../handlers/views/replace.js';
import {
  CommitViewRequest,
  CreateViewRequest,
  ListQuery,
  NamespaceParams,
  PrefixParams,
  RegisterViewRequest,
  RenameTableRequest,
  ViewParams,
} from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, icebergRoute } from './iceberg-route.js';
import {
  namespaceResource,
  newObjectResource,
  renameChecks,
  renamedText,
  viewResource,
  type NewObjectInput,
  type RenameInput,
  type ViewInput,
} from './iceberg-resources.js';

export const viewRoutes = [
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces/:namespace/views',
    operationId: 'iceberg.listViews',
    params: NamespaceParams,
    query: ListQuery,
    summary: 'List the views of a namespace.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:list', resource: namespaceResource },
    handler: listObjects('view'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/views',
    operationId: 'iceberg.createView',
    params: NamespaceParams,
    body: CreateViewRequest,
    summary: 'Create a view.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:create', resource: newObjectResource },
    idempotency: catalogIdempotency((input: NewObjectInput) => `createView ${resourceText(newObjectResource(input))}`),
    handler: createView,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/register-view',
    operationId: 'iceberg.registerView',
    params: NamespaceParams,
    body: RegisterViewRequest,
    summary: 'Register a view from an existing view metadata file in the warehouse.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:register', resource: newObjectResource },
    idempotency: catalogIdempotency((input: NewObjectInput) => `registerView ${resourceText(newObjectResource(input))}`),
    handler: registerView,
  }),
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces/:namespace/views/:view',
    operationId: 'iceberg.loadView',
    params: ViewParams,
    summary: 'Load a view.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:read', resource: viewResource },
    handler: loadView,
  }),
  icebergRoute({
    method: 'HEAD',
    path: '/v1/:prefix/namespaces/:namespace/views/:view',
    operationId: 'iceberg.viewExists',
    params: ViewParams,
    summary: 'Whether a view exists: 204 or 404, no body.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:read', resource: viewResource },
    handler: objectExists('view'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/views/:view',
    operationId: 'iceberg.replaceView',
    params: ViewParams,
    body: CommitViewRequest,
    summary: 'Replace a view: requirements checked, updates applied, a new metadata file written.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:commit', resource: viewResource },
    idempotency: catalogIdempotency((input: ViewInput) => `replaceView ${resourceText(viewResource(input))}`),
    handler: replaceView,
  }),
  icebergRoute({
    method: 'DELETE',
    path: '/v1/:prefix/namespaces/:namespace/views/:view',
    operationId: 'iceberg.dropView',
    params: ViewParams,
    summary: 'Drop a view.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:view:drop', resource: viewResource },
    idempotency: catalogIdempotency((input: ViewInput) => `dropView ${resourceText(viewResource(input))}`),
    handler: dropObject('view'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/views/rename',
    operationId: 'iceberg.renameView',
    params: PrefixParams,
    body: RenameTableRequest,
    summary: 'Rename a view, or move it to another namespace of the warehouse.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { checks: renameChecks('view') },
    idempotency: catalogIdempotency((input: RenameInput) => `renameView ${renamedText(input)}`),
    handler: renameObject('view'),
  }),
];
