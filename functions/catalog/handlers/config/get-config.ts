import type { Executor } from '../../../../shared/db/index.js';
import { BadRequestError, NoSuchWarehouseError } from '../../../../shared/errors/index.js';
import { json, type Handler, type OperationInput } from '../../../../shared/http/index.js';
import { ADVERTISED_SEPARATOR } from '../../domain/identifiers.js';
import type { ConfigQuery } from '../../schemas/iceberg-requests.js';
import { findWarehouseByNameOrLocation, firstWarehouses, type ConfigWarehouse } from '../../store/config-warehouses.js';
import { IDEMPOTENCY_KEY_LIFETIME } from '../idempotency.js';

/**
 * Every endpoint this catalog serves, in the spec's "<METHOD> <path>" form. Clients (Java's RESTSessionCatalog)
 * refuse up front what is not listed, so this is the truth about what works; scan planning, remote signing and
 * functions are not listed and answer 406.
 */
export const SERVED_ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/tables/rename',
  'POST /v1/{prefix}/transactions/commit',
  'GET /v1/{prefix}/namespaces/{namespace}/views',
  'POST /v1/{prefix}/namespaces/{namespace}/views',
  'GET /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'POST /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'POST /v1/{prefix}/views/rename',
  'POST /v1/{prefix}/namespaces/{namespace}/register-view',
];

async function pickWarehouse(db: Executor, requested: string | undefined): Promise<ConfigWarehouse> {
  if (requested) {
    // A warehouse is named by its name or by its storage location, as the spec's "location or identifier" allows.
    const row = await findWarehouseByNameOrLocation(db, requested);
    if (!row) throw new NoSuchWarehouseError(`Warehouse ${requested} does not exist`);
    return row;
  }
  const rows = await firstWarehouses(db, 2);
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) throw new BadRequestError('No warehouse exists yet: an admin creates one with POST /api/v1/warehouses');
  throw new BadRequestError(
    'warehouse is required: this catalog has several warehouses (GET /api/v1/warehouses lists them); configure the client with warehouse=NAME',
  );
}

/**
 * The warehouse a /v1/config request is for: the one it names, or the only one there is. Looked up once per request
 * (`once`, the request's own readings): the operation's authorization asks about it, its handler answers with it.
 */
export function configWarehouse(
  request: Pick<OperationInput<unknown, { readonly warehouse?: string | undefined }, unknown>, 'query' | 'once'>,
  db: Executor,
): Promise<ConfigWarehouse> {
  return request.once('config warehouse', () => pickWarehouse(db, request.query.warehouse));
}

/**
 * What the warehouse's credential vending gives a client, said where every client and operator looks first. A
 * `static` warehouse hands its own keys to anyone who may load any table: that undoes table-level policies for every
 * engine outside a lakehouse, and the catalog says so rather than leave it to be discovered.
 */
export function vendingDefaults(mode: 'none' | 'static' | 'sts', remoteSigning = false): Record<string, string> {
  const said: Record<string, string> = { 'lakeplane.credential-vending': mode };
  if (remoteSigning) said['lakeplane.remote-signing'] = 'enabled';
  if (mode === 'static') {
    said['lakeplane.credential-vending.warning'] =
      "static: every client that may load any table of this warehouse receives the warehouse's own long-lived storage keys, which read and write every table's files regardless of table-level policies; use credentialVending sts for credentials scoped to one table";
  }
  return said;
}

/** getConfig: the prefix to use (the warehouse's name), the namespace separator, every served endpoint. */
export const getConfig: Handler<{ query: typeof ConfigQuery }> = async (ctx) => {
  const warehouse = await configWarehouse(ctx, ctx.db);
  return json(200, {
    defaults: vendingDefaults(warehouse.credential_vending, warehouse.remote_signing),
    overrides: { prefix: warehouse.name, 'namespace-separator': ADVERTISED_SEPARATOR },
    endpoints: SERVED_ENDPOINTS,
    'idempotency-key-lifetime': IDEMPOTENCY_KEY_LIFETIME,
  });
};
