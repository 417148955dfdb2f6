import { json, noContent, route } from '../../../shared/http/index.js';
import { catalogResource } from '../domain/identifiers.js';
import { createWarehouse, deleteWarehouse, listWarehouses, toWarehouse, updateWarehouse } from '../handlers/warehouses.js';
import { CreateWarehouseBody, UpdateWarehouseBody, Warehouse, WarehouseList, WarehouseListQuery, WarehouseParams } from '../schemas/warehouse-schemas.js';
import { requireWarehouse } from '../store/warehouses.js';

const base = '/api/v1/warehouses';

export const warehouseRoutes = [
  route({
    method: 'POST', path: base, operationId: 'catalog.createWarehouse', tags: ['warehouses'], auth: 'required', body: CreateWarehouseBody,
    summary: 'Create a warehouse: the catalog\'s unit, with its storage location and how clients get storage credentials.',
    responses: { 201: { description: 'Created', schema: Warehouse } },
    handler: async (ctx) => {
      ctx.auditResource = catalogResource(ctx.body.name);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:create', ctx.auditResource);
      return json(201, await createWarehouse(ctx.platform, ctx.body), { location: `${base}/${ctx.body.name}` });
    },
  }),
  route({
    method: 'GET', path: base, operationId: 'catalog.listWarehouses', tags: ['warehouses'], auth: 'required', query: WarehouseListQuery,
    summary: 'List warehouses by name.', responses: { 200: { description: 'A page of warehouses', schema: WarehouseList } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:list', 'catalog');
      return json(200, await listWarehouses(ctx.platform.store.db, ctx.query.pageSize ?? 100, ctx.query.pageToken));
    },
  }),
  route({
    method: 'GET', path: `${base}/:name`, operationId: 'catalog.getWarehouse', tags: ['warehouses'], auth: 'required', params: WarehouseParams,
    summary: 'Read a warehouse.', responses: { 200: { description: 'The warehouse', schema: Warehouse } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:read', catalogResource(ctx.params.name));
      return json(200, toWarehouse(await requireWarehouse(ctx.platform.store.db, ctx.params.name)));
    },
  }),
  route({
    method: 'PATCH', path: `${base}/:name`, operationId: 'catalog.updateWarehouse', tags: ['warehouses'], auth: 'required', params: WarehouseParams, body: UpdateWarehouseBody,
    summary: 'Change a warehouse\'s storage settings, credentials reference, vending, properties or description. Its location and name are fixed.',
    responses: { 200: { description: 'The warehouse', schema: Warehouse } },
    handler: async (ctx) => {
      ctx.auditResource = catalogResource(ctx.params.name);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:update', ctx.auditResource);
      return json(200, await updateWarehouse(ctx.platform, ctx.params.name, ctx.body));
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:name`, operationId: 'catalog.deleteWarehouse', tags: ['warehouses'], auth: 'required', params: WarehouseParams,
    summary: 'Delete an empty warehouse (409 while it holds namespaces). Its files are left in place.', responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = catalogResource(ctx.params.name);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:delete', ctx.auditResource);
      await deleteWarehouse(ctx.platform, ctx.params.name);
      return noContent();
    },
  }),
];
