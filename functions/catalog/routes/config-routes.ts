import { json, type RequestContext } from '../../../shared/http/index.js';
import { BadRequestError, NoSuchWarehouseError } from '../../../shared/errors/index.js';
import { issueTokenThrottled, TokenRequest } from '../../../shared/auth/index.js';
import { ADVERTISED_SEPARATOR, catalogResource } from '../domain/identifiers.js';
import { IDEMPOTENCY_KEY_LIFETIME } from '../handlers/idempotency.js';
import { ConfigQuery } from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, icebergRoute } from './iceberg-route.js';

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

type Ctx = RequestContext<Record<string, string>, { warehouse?: string }, undefined>;

async function pickWarehouse(ctx: Ctx) {
  const db = ctx.platform.store.db;
  const requested = ctx.query.warehouse;
  if (requested) {
    // A warehouse is named by its name or by its storage location, as the spec's "location or identifier" allows.
    const row = await db
      .selectFrom('warehouses')
      .select(['name', 'storage_location', 'credential_vending', 'remote_signing'])
      .where((eb) => eb.or([eb('name', '=', requested), eb('storage_location', '=', requested.replace(/\/+$/, ''))]))
      .executeTakeFirst();
    if (!row) throw new NoSuchWarehouseError(`Warehouse ${requested} does not exist`);
    return row;
  }
  const rows = await db.selectFrom('warehouses').select(['name', 'storage_location', 'credential_vending', 'remote_signing']).orderBy('name').limit(2).execute();
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) throw new BadRequestError('No warehouse exists yet: an admin creates one with POST /api/v1/warehouses');
  throw new BadRequestError('warehouse is required: this catalog has several warehouses (GET /api/v1/warehouses lists them); configure the client with warehouse=NAME');
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

export const configRoutes = [
  icebergRoute({
    method: 'GET', path: '/v1/config', operationId: 'iceberg.getConfig', query: ConfigQuery,
    summary: 'Iceberg catalog configuration for a warehouse: the prefix to use, the namespace separator, every served endpoint.',
    responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const warehouse = await pickWarehouse(ctx as Ctx);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:warehouse:use', catalogResource(warehouse.name));
      return json(200, {
        defaults: vendingDefaults(warehouse.credential_vending, warehouse.remote_signing),
        overrides: { prefix: warehouse.name, 'namespace-separator': ADVERTISED_SEPARATOR },
        endpoints: SERVED_ENDPOINTS,
        'idempotency-key-lifetime': IDEMPOTENCY_KEY_LIFETIME,
      });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/oauth/tokens', operationId: 'iceberg.getToken', auth: 'public', bodyKind: 'form', body: TokenRequest, errorShape: 'oauth',
    summary: 'Deprecated Iceberg token endpoint, for older clients: the same grants as /api/v1/auth/token. New clients set oauth2-server-uri to /api/v1/auth/token.',
    responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      ctx.auditResource = 'iam/auth/token';
      ctx.auditDetail = `grant_type=${ctx.body.grant_type} via /iceberg/v1/oauth/tokens`;
      const { answer, subject } = await issueTokenThrottled(ctx.platform, ctx.body, ctx.headers.authorization, ctx.ip);
      ctx.auditDetail += ` subject=${subject}`;
      return json(200, answer, { 'cache-control': 'no-store', pragma: 'no-cache' });
    },
  }),
];
