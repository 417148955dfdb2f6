import type { HttpMethod } from '../../../shared/http/index.js';
import { unsupported as notImplemented } from '../handlers/unsupported.js';
import { ICEBERG_RESPONSE, icebergRoute } from './iceberg-route.js';

/**
 * Spec endpoints this catalog does not implement. They answer 406 UnsupportedOperationException (the spec's word
 * for "not supported") with what to do instead, and /v1/config does not list them, so clients never call them.
 */
const unsupported: Array<[HttpMethod, string, string, string]> = [
  [
    'POST',
    '/v1/:prefix/namespaces/:namespace/tables/:table/plan',
    'iceberg.planTableScan',
    'Server-side scan planning is not supported: plan scans in the client (scan-planning-mode=client).',
  ],
  [
    'GET',
    '/v1/:prefix/namespaces/:namespace/tables/:table/plan/:planId',
    'iceberg.fetchPlanningResult',
    'Server-side scan planning is not supported: plan scans in the client.',
  ],
  [
    'DELETE',
    '/v1/:prefix/namespaces/:namespace/tables/:table/plan/:planId',
    'iceberg.cancelPlanning',
    'Server-side scan planning is not supported: plan scans in the client.',
  ],
  [
    'POST',
    '/v1/:prefix/namespaces/:namespace/tables/:table/tasks',
    'iceberg.fetchScanTasks',
    'Server-side scan planning is not supported: plan scans in the client.',
  ],
  ['GET', '/v1/:prefix/namespaces/:namespace/functions', 'iceberg.listFunctions', 'Catalog functions are not supported yet.'],
  ['GET', '/v1/:prefix/namespaces/:namespace/functions/:function', 'iceberg.loadFunction', 'Catalog functions are not supported yet.'],
];

export const unsupportedRoutes = unsupported.map(([method, path, operationId, message]) =>
  icebergRoute({
    method,
    path,
    operationId,
    summary: `Not supported (406): ${message}`,
    responses: { 406: ICEBERG_RESPONSE },
    bodyKind: 'none',
    authorization: { anyCaller: 'every caller gets the same 406 saying the endpoint is not implemented and what to do instead' },
    mutates: false,
    handler: notImplemented(message),
  }),
);
