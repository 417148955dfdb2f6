import { operation } from '../../../shared/http/index.js';
import { LakehousePatch, LakehouseSpec } from '../../../shared/domains/lakehouses/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { activityChecks, createChecks, onLakehouse, updateChecks } from '../handlers/lakehouses/access.js';
import { lakehouseActivity } from '../handlers/lakehouses/activity.js';
import { createLakehouse } from '../handlers/lakehouses/create.js';
import { deleteLakehouse } from '../handlers/lakehouses/delete.js';
import { listLakehouses } from '../handlers/lakehouses/list.js';
import { readLakehouse } from '../handlers/lakehouses/read.js';
import { updateLakehouse } from '../handlers/lakehouses/update.js';
import { ActivityPage, ActivityQuery, Lakehouse, LakehouseParams, LakehousePage, ListLakehousesQuery } from '../schemas.js';

const base = '/api/v1/lakehouses';

// The control policies decide lakehouse actions knowing the lakehouse's owner and executors: the checks of a route
// on one lakehouse look it up (by id or name; 404 first), and record it as lakehouses/<id>.
export const lakehouseRoutes = [
  operation({
    method: 'POST',
    path: base,
    operationId: 'lakehouses.createLakehouse',
    tags: ['lakehouses'],
    body: LakehouseSpec,
    summary: 'Define a lakehouse (STOPPED until started).',
    responses: { 201: { description: 'Created', schema: Lakehouse }, 409: { description: 'A lakehouse of that name exists' } },
    authorization: { checks: createChecks },
    auditResource: ({ body }) => `lakehouses/${body.name}`,
    handler: createLakehouse,
  }),
  operation({
    method: 'GET',
    path: base,
    operationId: 'lakehouses.listLakehouses',
    tags: ['lakehouses'],
    query: ListLakehousesQuery,
    summary: 'List lakehouses (oldest first), by owner, state, tag or part of the name.',
    responses: { 200: { description: 'A page of lakehouses', schema: LakehousePage } },
    authorization: { action: 'lakehouses:lakehouse:list', resource: () => platformObject('lakehouses') },
    handler: listLakehouses,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'lakehouses.getLakehouse',
    tags: ['lakehouses'],
    params: LakehouseParams,
    summary: 'Read a lakehouse (by id or name): its definition, state, endpoints while it runs, and whether a change waits for a restart.',
    responses: { 200: { description: 'The lakehouse', schema: Lakehouse } },
    authorization: { checks: onLakehouse('read') },
    handler: readLakehouse,
  }),
  operation({
    method: 'PATCH',
    path: `${base}/:id`,
    operationId: 'lakehouses.updateLakehouse',
    tags: ['lakehouses'],
    params: LakehouseParams,
    body: LakehousePatch,
    summary:
      'Change a lakehouse: the given fields replace the stored ones (null removes an optional one). Sizes, Spark settings and the image take effect at the next start ("restartRequired" until then). With If-Match: "<version>", only if nobody changed it since (409 otherwise).',
    responses: { 200: { description: 'The lakehouse after the change', schema: Lakehouse }, 409: { description: 'Stale If-Match, or it is being deleted' } },
    authorization: { checks: updateChecks },
    handler: updateLakehouse,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id`,
    operationId: 'lakehouses.deleteLakehouse',
    tags: ['lakehouses'],
    params: LakehouseParams,
    summary: 'Delete a lakehouse: at once when stopped (204), else DELETING while its workload stops, then gone (202). Its activity stays.',
    responses: { 202: { description: 'Deleting', schema: Lakehouse }, 204: { description: 'Deleted' } },
    authorization: { checks: onLakehouse('delete') },
    mutates: 'in-steps',
    handler: deleteLakehouse,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/activity`,
    operationId: 'lakehouses.lakehouseActivity',
    tags: ['lakehouses'],
    params: LakehouseParams,
    query: ActivityQuery,
    summary: "Every state change (with its source), action and change of a lakehouse, oldest first; a deleted lakehouse's too, by id.",
    responses: { 200: { description: 'A page of activity', schema: ActivityPage } },
    authorization: { checks: activityChecks },
    handler: lakehouseActivity,
  }),
];
