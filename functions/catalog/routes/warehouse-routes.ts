import { operation } from '../../../shared/http/index.js';
import { catalogObject, platformObject } from '../../../shared/policy/index.js';
import { createWarehouse } from '../handlers/warehouses/create.js';
import { deleteWarehouse } from '../handlers/warehouses/delete.js';
import { listWarehouses } from '../handlers/warehouses/list.js';
import { readWarehouse } from '../handlers/warehouses/read.js';
import { updateWarehouse } from '../handlers/warehouses/update.js';
import {
  CreateWarehouseBody,
  UpdateWarehouseBody,
  WAREHOUSES,
  Warehouse,
  WarehouseList,
  WarehouseListQuery,
  WarehouseParams,
} from '../schemas/warehouse-schemas.js';

/**
 * Warehouse administration. Creating, changing and deleting a warehouse (and listing them) are platform actions: the
 * control policies decide them on the resource's text, "catalog/<warehouse>" ("catalog" for the list). Reading one
 * is a data action, decided by the data access policies on the warehouse.
 */
const warehouse = ({ params }: { params: { name: string } }) => catalogObject(params.name);

export const warehouseRoutes = [
  operation({
    method: 'POST',
    path: WAREHOUSES,
    operationId: 'catalog.createWarehouse',
    tags: ['warehouses'],
    body: CreateWarehouseBody,
    summary: "Create a warehouse: the catalog's unit, with its storage location and how clients get storage credentials.",
    responses: { 201: { description: 'Created', schema: Warehouse } },
    authorization: { action: 'catalog:warehouse:create', resource: ({ body }) => catalogObject(body.name) },
    handler: createWarehouse,
  }),
  operation({
    method: 'GET',
    path: WAREHOUSES,
    operationId: 'catalog.listWarehouses',
    tags: ['warehouses'],
    query: WarehouseListQuery,
    summary: 'List warehouses by name.',
    responses: { 200: { description: 'A page of warehouses', schema: WarehouseList } },
    authorization: { action: 'catalog:warehouse:list', resource: () => platformObject('catalog') },
    handler: listWarehouses,
  }),
  operation({
    method: 'GET',
    path: `${WAREHOUSES}/:name`,
    operationId: 'catalog.getWarehouse',
    tags: ['warehouses'],
    params: WarehouseParams,
    summary: 'Read a warehouse.',
    responses: { 200: { description: 'The warehouse', schema: Warehouse } },
    authorization: { action: 'catalog:warehouse:read', resource: warehouse },
    handler: readWarehouse,
  }),
  operation({
    method: 'PATCH',
    path: `${WAREHOUSES}/:name`,
    operationId: 'catalog.updateWarehouse',
    tags: ['warehouses'],
    params: WarehouseParams,
    body: UpdateWarehouseBody,
    summary: "Change a warehouse's storage settings, credentials reference, vending, properties or description. Its location and name are fixed.",
    responses: { 200: { description: 'The warehouse', schema: Warehouse } },
    authorization: { action: 'catalog:warehouse:update', resource: warehouse },
    handler: updateWarehouse,
  }),
  operation({
    method: 'DELETE',
    path: `${WAREHOUSES}/:name`,
    operationId: 'catalog.deleteWarehouse',
    tags: ['warehouses'],
    params: WarehouseParams,
    summary: 'Delete an empty warehouse (409 while it holds namespaces). Its files are left in place.',
    responses: { 204: { description: 'Deleted' } },
    authorization: { action: 'catalog:warehouse:delete', resource: warehouse },
    handler: deleteWarehouse,
  }),
];
