import type { Principal } from '../../../shared/auth/index.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { DataPolicySet } from '../../../shared/policy/index.js';
import { sha256Hex, signSigV4, UNSIGNED_PAYLOAD } from '../../../shared/storage/index.js';
import { catalogContext } from '../catalog-context.js';
import { checkSignRequest, parseS3RequestUri, s3EndpointOf, SignRefusal } from '../domain/s3-sign-request.js';
import type { StorageAccessLevel } from '../domain/session-policy.js';
import { resolveCredentials } from '../storage/warehouse-storage.js';
import { requireObject } from '../store/catalog-objects.js';
import { toWarehouseSummary } from '../store/warehouses.js';
import type { SignableTable } from './signable-tables.js';
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

async function loadSignableTable(platform: Platform, table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): Promise<SignableTable> {
  let found;
  try {
    found = await requireObject(platform.store.db, 'table', table.prefix, table.namespace, table.name);
  } catch (err) {
    // The spec's signRequest answers 403 for what it will not sign, and declares no 404: a table (or its namespace,
    // its warehouse) that is gone, dropped a moment ago say, is one more thing nothing is signed for.
    if (err instanceof NotFoundError) throw new ForbiddenError(`nothing is signed for ${[...table.namespace, table.name].join('.')}: ${err.message}`);
    throw err;
  }
  const { warehouse: row, object } = found;
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

/** A table's key among the signable tables kept. */
const signableKey = (prefix: string, namespace: readonly string[], name: string) => `${prefix}\u0000${namespace.join('\u001f')}\u0000${name}`;

/**
 * Drops what is kept of these tables in this process, after a drop, a rename or a commit here changed them: the
 * next signing request reads them again, so a change made through this process holds for it at once. Other
 * processes (replicas) see it within the TTL, as before.
 */
export function forgetSignableTables(platform: Platform, prefix: string, tables: ReadonlyArray<{ namespace: readonly string[]; name: string }>): void {
  const kept = platform.contextOf(catalogContext).signableTables;
  for (const t of tables) kept.forget(signableKey(prefix, t.namespace, t.name));
}

function signableTable(platform: Platform, table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): Promise<SignableTable> {
  return platform
    .contextOf(catalogContext)
    .signableTables.get(signableKey(table.prefix, table.namespace, table.name), () => loadSignableTable(platform, table));
}

interface SigningVerdict {
  /** What the caller may do with the table's files for a request that needs `needs`; undefined: nothing. */
  access: StorageAccessLevel | undefined;
  /** What limits its reads (row filter, masks): any of it and nothing is signed. */
  why: string[];
}

/**
 * Verdicts per policy set: a set is one version of the policies (a change, here or announced, makes a new object),
 * so a revoked grant is a new set and a fresh decision on the next request. Kept only for sets whose decisions
 * depend on nothing but the subject, the access and the table: no tag policy (tags change without a new version),
 * no validity schedule or condition (they depend on the time of the request). A value cache, not the catalog's
 * state (catalog-context.ts): what an immutable set decides is kept with it and goes when it goes.
 */
const verdicts = new WeakMap<DataPolicySet, Map<string, SigningVerdict>>();
const MAX_VERDICTS = 10_000;

async function decideSigning(
  platform: Platform,
  principal: Principal,
  table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>,
  needs: StorageAccessLevel,
  columns: readonly string[],
): Promise<SigningVerdict> {
  const set = await platform.dataPolicies.get();
  const cacheable = set.timeInvariant && !set.hasTagPolicies;
  // Everything the decision reads of the caller (name, groups, admin role, the token's scopes) and of the request.
  const key = cacheable
    ? JSON.stringify([
        principal.kind,
        principal.name,
        principal.groups,
        principal.isAdmin,
        principal.scopes ?? null,
        needs,
        table.prefix,
        table.namespace,
        table.name,
        columns,
      ])
    : '';
  let kept = cacheable ? verdicts.get(set) : undefined;
  const hit = kept?.get(key);
  if (hit) return hit;
  let access: StorageAccessLevel | undefined;
  if (await hasFilesAccess(platform, principal, table, needs)) access = needs;
  else if (needs === 'write' && (await hasFilesAccess(platform, principal, table, 'read'))) access = 'read';
  const verdict = { access, why: access ? await readRestrictions(platform, principal, table, columns) : [] };
  if (cacheable) {
    if (!kept) verdicts.set(set, (kept = new Map()));
    if (kept.size >= MAX_VERDICTS) kept.delete(kept.keys().next().value!);
    kept.set(key, verdict);
  }
  return verdict;
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
export async function signTableRequest(
  platform: Platform,
  principal: Principal,
  table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>,
  request: S3SignRequestValue,
): Promise<S3SignResponseValue> {
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
  if (sent !== undefined && sent.startsWith('STREAMING-AWS4-HMAC-SHA256'))
    throw new BadRequestError('chunk-signed uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) need the key for every chunk: send the payload unsigned or hashed');
  let payloadHash = sent ?? UNSIGNED_PAYLOAD;
  if (request.body !== undefined) {
    payloadHash = sha256Hex(request.body);
    if (sent !== undefined && sent !== payloadHash) throw new BadRequestError('x-amz-content-sha256 does not match the body sent to be signed');
  }

  // Authorization, decided for every request against the policy set in force: the caller's access to the table,
  // then what limits its reads.
  const { access, why } = await decideSigning(platform, principal, table, needs, signable.columns);
  const what = [...table.namespace, table.name].join('.');
  if (!access) throw new ForbiddenError(`${principal.name} may not read ${what}: no policy allows it`);
  if (why.length > 0)
    throw new ForbiddenError(
      `${principal.name} reads ${what} through ${why.join(' and ')}; signing its S3 requests would give raw access to the table's files and bypass them, so none is signed`,
    );
  try {
    checkSignRequest({ target, method, headers, body: request.body, prefixes: signable.prefixes, access });
  } catch (err) {
    refused(err);
  }

  const added = signSigV4(
    {
      method,
      host: target.origin.slice(target.origin.indexOf('//') + 2),
      rawPath: target.rawPath,
      query: target.query,
      headers,
      payloadHash,
      region: signable.warehouse.storage.region ?? request.region,
    },
    signable.credentials,
  );
  const answer: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(added)) if (headers[name]?.[0] !== value) answer[name] = [value];
  return { uri: request.uri, headers: answer };
}
