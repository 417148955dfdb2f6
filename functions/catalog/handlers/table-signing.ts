import type { Principal } from '../../../shared/auth/index.js';
import { BadRequestError, ForbiddenError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { sha256Hex, signSigV4, UNSIGNED_PAYLOAD } from '../../../shared/storage/index.js';
import { checkSignRequest, parseS3RequestUri, s3EndpointOf, SignRefusal, type S3Endpoint } from '../domain/s3-sign-request.js';
import type { S3Prefix, StorageAccessLevel } from '../domain/session-policy.js';
import { resolveCredentials, type ResolvedCredentials } from '../storage/warehouse-storage.js';
import { requireObject } from '../store/catalog-objects.js';
import { toWarehouseSummary, type WarehouseSummary } from '../store/warehouses.js';
import { currentColumns, hasFilesAccess, readRestrictions, tablePrefixes, type TableFiles } from './table-storage-access.js';

/** The spec's S3SignRequest (Iceberg Java adds `provider`). */
export interface S3SignRequestValue {
  region: string;
  uri: string;
  method: string;
  headers: Record<string, string[]>;
  properties?: Record<string, string> | undefined;
  body?: string | undefined;
  provider?: string | undefined;
}

export interface S3SignResponseValue {
  uri: string;
  headers: Record<string, string[]>;
}

/** What signing needs of a table, kept briefly: signing is per S3 request, a table's location changes rarely. */
interface SignableTable {
  warehouse: WarehouseSummary;
  prefixes: S3Prefix[];
  columns: string[];
  endpoint: S3Endpoint;
  credentials: ResolvedCredentials;
}

/**
 * How long a table's location and the warehouse's settings are reused between signing requests. The caller's
 * access is never cached here: the data policies are re-decided on every request (from the in-memory policy set),
 * so a revoked grant stops signing at once; a dropped table stops within this time.
 */
export const SIGNABLE_TABLE_TTL_MS = 1000;
const MAX_TABLES = 10_000;
const tables = new Map<string, { until: number; value: Promise<SignableTable> }>();

async function loadSignableTable(platform: Platform, table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): Promise<SignableTable> {
  const { warehouse: row, object } = await requireObject(platform.store.db, 'table', table.prefix, table.namespace, table.name);
  const warehouse = toWarehouseSummary(row);
  if (!warehouse.remoteSigning) throw new ForbiddenError(`warehouse ${warehouse.name} does not sign S3 requests (its remoteSigning is off)`);
  const credentials = resolveCredentials(warehouse.credentialsRef);
  if (!credentials) throw new ForbiddenError(`warehouse ${warehouse.name} has no keys to sign with (credentialsRef)`);
  const metadata = JSON.parse(object.metadata) as { location?: unknown; properties?: Record<string, string>; schemas?: unknown; 'current-schema-id'?: unknown };
  if (typeof metadata.location !== 'string') throw new Error(`table ${table.name} has metadata without a location`);
  return {
    warehouse,
    prefixes: tablePrefixes(warehouse, { location: metadata.location, properties: metadata.properties ?? {} }),
    columns: currentColumns(metadata),
    endpoint: s3EndpointOf(warehouse.storage.endpoint),
    credentials,
  };
}

function signableTable(platform: Platform, table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): Promise<SignableTable> {
  const key = `${table.prefix}\u0000${table.namespace.join('\u001f')}\u0000${table.name}`;
  const now = Date.now();
  const hit = tables.get(key);
  if (hit && hit.until > now) return hit.value;
  const value = loadSignableTable(platform, table);
  if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
  tables.set(key, { until: now + SIGNABLE_TABLE_TTL_MS, value });
  value.catch(() => tables.delete(key));
  return value;
}

function refused(err: unknown): never {
  if (err instanceof SignRefusal) throw err.status === 400 ? new BadRequestError(err.message) : new ForbiddenError(err.message);
  throw err;
}

/** The access a method needs; PATCH and OPTIONS are never signed. */
function needsOf(method: string): StorageAccessLevel {
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'PUT' || method === 'POST' || method === 'DELETE') return 'write';
  throw new ForbiddenError(`${method} requests are never signed`);
}

/**
 * Signs one S3 request for a table's files with the warehouse's keys, after checking, for this request: that the
 * warehouse signs at all; that the caller may still read (GET/HEAD) or write (PUT/POST/DELETE) the table; that its
 * reads are neither row-filtered nor masked (raw files would bypass both); and that the request stays inside the
 * table's location. The answer carries only the headers to add (authorization, x-amz-date, x-amz-content-sha256,
 * the session token): clients merge them into the request they already have.
 */
export async function signTableRequest(platform: Platform, principal: Principal, table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>, request: S3SignRequestValue): Promise<S3SignResponseValue> {
  if (request.provider !== undefined && request.provider !== 's3') throw new BadRequestError(`only S3 requests are signed here, not ${request.provider}`);
  const method = request.method.toUpperCase();
  const needs = needsOf(method);
  const signable = await signableTable(platform, table);
  let target;
  try {
    target = parseS3RequestUri(request.uri, signable.endpoint);
  } catch (err) {
    refused(err);
  }
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(request.headers)) headers[name.toLowerCase()] = [...(headers[name.toLowerCase()] ?? []), ...values];
  const sent = headers['x-amz-content-sha256']?.[0];
  if (sent !== undefined && sent.startsWith('STREAMING-AWS4-HMAC-SHA256')) throw new BadRequestError('chunk-signed uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) need the key for every chunk: send the payload unsigned or hashed');
  let payloadHash = sent ?? UNSIGNED_PAYLOAD;
  if (request.body !== undefined) {
    payloadHash = sha256Hex(request.body);
    if (sent !== undefined && sent !== payloadHash) throw new BadRequestError('x-amz-content-sha256 does not match the body sent to be signed');
  }

  // Authorization, re-decided on every request: the caller's access to the table, then what limits its reads.
  let access: StorageAccessLevel | undefined;
  if (await hasFilesAccess(platform, principal, table, needs)) access = needs;
  else if (needs === 'write' && (await hasFilesAccess(platform, principal, table, 'read'))) access = 'read';
  const what = [...table.namespace, table.name].join('.');
  if (!access) throw new ForbiddenError(`${principal.name} may not read ${what}: no policy allows it`);
  const why = await readRestrictions(platform, principal, table, signable.columns);
  if (why.length > 0) throw new ForbiddenError(`${principal.name} reads ${what} through ${why.join(' and ')}; signing its S3 requests would give raw access to the table's files and bypass them, so none is signed`);
  try {
    checkSignRequest({ target, method, headers, body: request.body, prefixes: signable.prefixes, access });
  } catch (err) {
    refused(err);
  }

  const added = signSigV4(
    { method, host: target.origin.slice(target.origin.indexOf('//') + 2), rawPath: target.rawPath, query: target.query, headers, payloadHash, region: signable.warehouse.storage.region ?? request.region },
    signable.credentials,
  );
  const answer: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(added)) if (headers[name]?.[0] !== value) answer[name] = [value];
  return { uri: request.uri, headers: answer };
}
