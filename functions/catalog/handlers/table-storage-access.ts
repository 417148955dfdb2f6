import { scopeAllows, type Principal } from '../../../shared/auth/index.js';
import { ForbiddenError, UnavailableError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { subjectOf, type DataResource } from '../../../shared/policy/index.js';
import { locationScheme, stsRoleAssumer, type RoleCredentials } from '../../../shared/storage/index.js';
import { pathIfInside } from '../storage/warehouse-paths.js';
import { parseS3Prefix, partitionOf, tableSessionPolicy, type S3Prefix, type StorageAccessLevel } from '../domain/session-policy.js';
import { clientEndpointConfig, resolveCredentials, staticClientStorage, type ClientStorage } from '../storage/warehouse-storage.js';
import type { WarehouseSummary } from '../store/warehouses.js';
import { tableFilesOf } from './table-files.js';

/** The table whose files a client asks to reach, and where they are. */
export interface TableFiles {
  prefix: string;
  namespace: readonly string[];
  name: string;
  /** The table's metadata text: its location and properties (write.metadata.path, write.data.path) say where its files are. Read only when credentials are scoped to them. */
  metadataText: string;
}

export interface StorageAccessRequest {
  warehouse: WarehouseSummary;
  table: TableFiles;
  principal: Principal;
  /** X-Iceberg-Access-Delegation as sent: absent, or a comma-separated list of mechanisms. */
  delegation: string | string[] | undefined;
}

export const DEFAULT_STS_DURATION_SECONDS = 3600;

/** The mechanisms a client said it supports; empty when it said nothing (then it may use any). */
export function requestedDelegation(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return new Set(
    text
      .split(',')
      .map((m) => m.trim().toLowerCase())
      .filter((m) => m !== ''),
  );
}

/** A token scoped to catalog:read reads files only, whatever its principal may write (an unscoped one: all it may). */
const tokenMayWrite = (principal: Principal) => !principal.scopes || scopeAllows(principal.scopes, ['catalog']);

/**
 * What the caller may do with the table's files, from the data policies (and a read-only token's scope): write when any write access (insert,
 * update, delete or alter: compaction rewrites files) is allowed, read when select is, else nothing.
 */
export async function decideFilesAccess(
  platform: Platform,
  principal: Principal,
  table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>,
): Promise<StorageAccessLevel | undefined> {
  const target = { warehouse: table.prefix, namespace: [...table.namespace], table: table.name };
  for (const access of tokenMayWrite(principal) ? (['insert', 'update', 'delete', 'alter'] as const) : []) {
    if ((await platform.authorizer.decide(principal, access, target)).allowed) return 'write';
  }
  return (await platform.authorizer.decide(principal, 'select', target)).allowed ? 'read' : undefined;
}

/** The access a request needs, and whether the caller has it: write needs a write access, read any of them. */
export async function hasFilesAccess(
  platform: Platform,
  principal: Principal,
  table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>,
  needs: StorageAccessLevel,
): Promise<boolean> {
  const target = { warehouse: table.prefix, namespace: [...table.namespace], table: table.name };
  if (needs === 'write' && !tokenMayWrite(principal)) return false;
  const accesses = needs === 'read' ? (['select', 'insert', 'update', 'delete', 'alter'] as const) : (['insert', 'update', 'delete', 'alter'] as const);
  for (const access of accesses) {
    if ((await platform.authorizer.decide(principal, access, target)).allowed) return true;
  }
  return false;
}

/** Top-level column names of a table's current schema, from its metadata text. */
export function currentColumns(metadata: { 'current-schema-id'?: unknown; schemas?: unknown }): string[] {
  const schemas = Array.isArray(metadata.schemas) ? (metadata.schemas as Array<{ 'schema-id'?: unknown; fields?: Array<{ name?: unknown }> }>) : [];
  const current = schemas.find((s) => s['schema-id'] === metadata['current-schema-id']) ?? schemas[schemas.length - 1];
  return (current?.fields ?? []).map((f) => f.name).filter((n): n is string => typeof n === 'string');
}

/**
 * Why the caller's reads of the table are limited, if they are: the row filter and the column masks the data
 * policies put on them. Such a caller reads only through an engine that applies them (a lakehouse, the SQL API);
 * raw access to the files would bypass both.
 */
export async function readRestrictions(
  platform: Platform,
  principal: Principal,
  table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>,
  columns: readonly string[],
): Promise<string[]> {
  const set = await platform.dataPolicies.get();
  const subject = subjectOf(principal);
  const target: DataResource & { table: string } = { warehouse: table.prefix, namespace: [...table.namespace], table: table.name };
  const withTags = async <R extends DataResource>(r: R): Promise<R> => (set.hasTagPolicies ? { ...r, tags: await platform.objectTags.tagsOf(r) } : r);
  const why: string[] = [];
  const filter = set.rowFilterFor(subject, await withTags(target));
  if (filter) why.push(`a row filter (policy ${filter.policyId})`);
  const masked: string[] = [];
  const policies = new Set<string>();
  for (const column of new Set([...columns, ...set.maskedColumnNames(target)])) {
    const mask = set.maskFor(subject, await withTags({ ...target, column }));
    if (mask) {
      masked.push(column);
      policies.add(mask.policyId);
    }
  }
  if (masked.length > 0) why.push(`column masks on ${masked.join(', ')} (policy ${[...policies].join(', ')})`);
  return why;
}

/** Refuses raw-file access (`mechanism`) to a caller whose reads of the table are filtered or masked. */
async function refuseIfRestricted(platform: Platform, request: StorageAccessRequest, mechanism: string): Promise<void> {
  const { principal, table } = request;
  const why = await readRestrictions(platform, principal, table, currentColumns(JSON.parse(table.metadataText) as Record<string, unknown>));
  if (why.length === 0) return;
  throw new ForbiddenError(
    `${principal.name} reads ${[...table.namespace, table.name].join('.')} through ${why.join(' and ')}; ${mechanism} would give raw access to the table's files and bypass them, so none is given: query the table through a lakehouse or the SQL statement API`,
  );
}

/**
 * The prefixes a table's files live under: its location, and its metadata and data paths when properties move
 * them. A path outside the warehouse is left out: the warehouse's grants end at its location.
 */
export function tablePrefixes(warehouse: WarehouseSummary, table: { location: string; properties: Readonly<Record<string, string>> }): S3Prefix[] {
  const locations = [table.location, table.properties['write.metadata.path'], table.properties['write.data.path']];
  const out: S3Prefix[] = [];
  for (const location of locations) {
    // Checked as every client-named location is (no dot segments, no encoded separators, inside the root).
    if (!location || !pathIfInside(warehouse, location)) continue;
    const prefix = parseS3Prefix(location);
    if (prefix) out.push(prefix);
  }
  return out;
}

/** The relative path of the spec's credentials endpoint for a table, which clients refresh vended credentials from. */
export function credentialsEndpoint(table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): string {
  const enc = encodeURIComponent;
  return `v1/${enc(table.prefix)}/namespaces/${table.namespace.map(enc).join('%1F')}/tables/${enc(table.name)}/credentials`;
}

/** The relative path of a table's S3 signer endpoint; clients resolve it against their catalog uri (s3.signer.uri). */
export function signerEndpoint(table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): string {
  return credentialsEndpoint(table).replace(/\/credentials$/, '/sign');
}

/** An STS session name: who the credentials were vended to, as the role's session ARN and CloudTrail show it. */
function sessionName(principal: Principal): string {
  return `lakeplane-${principal.name}`.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
}

/**
 * Vended credentials are reused per warehouse settings, caller, access and prefixes while more than half of their
 * lifetime is left: a client loading a table many times (every query of an engine) costs one AssumeRole.
 */
const MAX_CACHED = 10_000;
const vended = new Map<string, Promise<RoleCredentials>>();

async function assumeRoleCached(key: string, durationSeconds: number, assume: () => Promise<RoleCredentials>): Promise<RoleCredentials> {
  const cached = vended.get(key);
  if (cached) {
    const creds = await cached.catch(() => undefined);
    if (creds && creds.expiration.getTime() - Date.now() > (durationSeconds * 1000) / 2) return creds;
    vended.delete(key);
  }
  const fresh = assume();
  if (vended.size >= MAX_CACHED) vended.delete(vended.keys().next().value!);
  vended.set(key, fresh);
  fresh.catch(() => vended.delete(key));
  return fresh;
}

/** Short-lived credentials for exactly the table's prefixes, from the warehouse's role. */
async function stsClientStorage(platform: Platform, request: StorageAccessRequest): Promise<ClientStorage> {
  const { warehouse, table, principal } = request;
  const config = clientEndpointConfig(warehouse);
  const sts = warehouse.sts;
  if (!sts) throw new UnavailableError(`warehouse ${warehouse.name} vends STS credentials but names no role (PATCH its sts.roleArn)`);
  const access = await decideFilesAccess(platform, principal, table);
  const prefixes = tablePrefixes(warehouse, tableFilesOf(table.metadataText));
  if (!access || prefixes.length === 0) return { config, credentials: [] };
  const policy = JSON.stringify(tableSessionPolicy({ partition: partitionOf(sts.roleArn), prefixes, access }));
  const durationSeconds = sts.durationSeconds ?? DEFAULT_STS_DURATION_SECONDS;
  const name = sessionName(principal);
  const key = JSON.stringify([warehouse.id, sts, warehouse.credentialsRef, name, policy]);
  let creds: RoleCredentials;
  try {
    creds = await assumeRoleCached(key, durationSeconds, async () =>
      (await stsRoleAssumer()).assumeRole({
        roleArn: sts.roleArn,
        externalId: sts.externalId,
        endpoint: sts.endpoint,
        region: sts.region ?? warehouse.storage.region ?? 'us-east-1',
        callerCredentials: resolveCredentials(warehouse.credentialsRef),
        sessionName: name,
        durationSeconds,
        policy,
      }),
    );
  } catch (err) {
    if (err instanceof UnavailableError) throw err;
    // STS refusing the server's own request is the operator's to fix (the role's trust policy, its keys), not the
    // client's: 503, with STS's own words in the log.
    platform.logger.error({ err, warehouse: warehouse.name, roleArn: sts.roleArn }, 'STS AssumeRole failed');
    throw new UnavailableError(
      `could not vend storage credentials for warehouse ${warehouse.name}: STS AssumeRole of ${sts.roleArn} failed (${(err as Error).name})`,
    );
  }
  const secret: Record<string, string> = {
    ...config,
    's3.access-key-id': creds.accessKeyId,
    's3.secret-access-key': creds.secretAccessKey,
    's3.session-token': creds.sessionToken,
    's3.session-token-expires-at-ms': String(creds.expiration.getTime()),
    'client.refresh-credentials-endpoint': credentialsEndpoint(table),
    'client.refresh-credentials-enabled': 'true',
  };
  const credentials = prefixes.map((p) => ({ prefix: `s3://${p.bucket}/${p.key}`, config: secret }));
  return { config: secret, credentials };
}

/**
 * Remote signing: no credential at all, only where to have each S3 request signed. Iceberg Java's S3FileIO reads
 * s3.remote-signing-enabled and s3.signer.endpoint; PyIceberg reads s3.signer (its signer's name) and the same
 * endpoint, and signs only through its fsspec FileIO (py-io-impl). Both resolve the endpoint against the catalog
 * uri they were configured with, and authenticate to it as to the catalog (PyIceberg with its catalog session,
 * Java with `token` or a client-credentials grant of scope `sign`), so no further secret is handed out.
 */
async function remoteSigningStorage(platform: Platform, request: StorageAccessRequest): Promise<ClientStorage> {
  const { warehouse, table, principal } = request;
  const config = clientEndpointConfig(warehouse);
  if (!(await decideFilesAccess(platform, principal, table))) return { config, credentials: [] };
  return {
    config: {
      ...config,
      's3.remote-signing-enabled': 'true',
      's3.signer.endpoint': signerEndpoint(table),
      's3.signer': 'S3V4RestSigner',
      'py-io-impl': 'pyiceberg.io.fsspec.FsspecFileIO',
    },
    credentials: [],
  };
}

/** The delegation this request gets: the first the client listed that the warehouse offers; none when it listed none it offers. */
export function chooseDelegation(
  warehouse: WarehouseSummary,
  header: string | string[] | undefined,
): 'static' | 'vended-credentials' | 'remote-signing' | undefined {
  if (locationScheme(warehouse.storageLocation) !== 's3') return undefined;
  // static hands its keys to every client, asked or not: that is what static means (and what /v1/config warns of).
  if (warehouse.credentialVending === 'static') return 'static';
  const offered = new Set<string>();
  if (warehouse.credentialVending === 'sts') offered.add('vended-credentials');
  if (warehouse.remoteSigning) offered.add('remote-signing');
  const asked = requestedDelegation(header);
  // A client that says nothing (Iceberg Java unless configured with header.X-Iceberg-Access-Delegation) gets vended
  // credentials where the warehouse vends them; signing is only for clients that ask for it.
  if (asked.size === 0) return offered.has('vended-credentials') ? 'vended-credentials' : undefined;
  for (const mechanism of asked) if (offered.has(mechanism)) return mechanism as 'vended-credentials' | 'remote-signing';
  return undefined;
}

/**
 * The storage part of a LoadTableResult (and of /credentials) for this caller and table, by the warehouse's
 * settings and what the client accepts: none says only where the files are; static hands out the warehouse's own
 * keys; sts vends credentials down-scoped to the table and to the caller's decided access; remote signing answers
 * the table's signer endpoint. A caller whose reads of the table are row-filtered or masked gets none of these (403).
 */
export async function tableClientStorage(platform: Platform, request: StorageAccessRequest): Promise<ClientStorage> {
  const { warehouse } = request;
  const mechanism = chooseDelegation(warehouse, request.delegation);
  if (mechanism === undefined) return { config: clientEndpointConfig(warehouse), credentials: [] };
  await refuseIfRestricted(
    platform,
    request,
    mechanism === 'static' ? "the warehouse's own keys" : mechanism === 'remote-signing' ? 'signing its S3 requests' : 'vended credentials',
  );
  if (mechanism === 'static') return staticClientStorage(warehouse);
  if (mechanism === 'remote-signing') return remoteSigningStorage(platform, request);
  return stsClientStorage(platform, request);
}
