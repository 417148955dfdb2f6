import type { Principal } from '../../../shared/auth/index.js';
import { UnavailableError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { isUnder, stsRoleAssumer, type RoleCredentials } from '../../../shared/storage/index.js';
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
  return new Set(text.split(',').map((m) => m.trim().toLowerCase()).filter((m) => m !== ''));
}

/**
 * What the caller may do with the table's files, from the data policies: write when any write access (insert,
 * update, delete or alter: compaction rewrites files) is allowed, read when select is, else nothing.
 */
export async function decideFilesAccess(platform: Platform, principal: Principal, table: Pick<TableFiles, 'prefix' | 'namespace' | 'name'>): Promise<StorageAccessLevel | undefined> {
  const target = { warehouse: table.prefix, namespace: [...table.namespace], table: table.name };
  for (const access of ['insert', 'update', 'delete', 'alter'] as const) {
    if ((await platform.authorizer.decide(principal, access, target)).allowed) return 'write';
  }
  return (await platform.authorizer.decide(principal, 'select', target)).allowed ? 'read' : undefined;
}

/**
 * The prefixes a table's files live under: its location, and its metadata and data paths when properties move
 * them. A path outside the warehouse is left out: the warehouse's grants end at its location.
 */
export function tablePrefixes(warehouse: WarehouseSummary, table: { location: string; properties: Readonly<Record<string, string>> }): S3Prefix[] {
  const locations = [table.location, table.properties['write.metadata.path'], table.properties['write.data.path']];
  const out: S3Prefix[] = [];
  for (const location of locations) {
    if (!location || !isUnder(location, warehouse.storageLocation)) continue;
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
    throw new UnavailableError(`could not vend storage credentials for warehouse ${warehouse.name}: STS AssumeRole of ${sts.roleArn} failed (${(err as Error).name})`);
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
 * The storage part of a LoadTableResult (and of /credentials) for this caller and table, by the warehouse's
 * vending: none says only where the files are; static hands out the warehouse's own keys; sts vends credentials
 * down-scoped to the table and to the caller's decided access, when the client accepts vended credentials.
 */
export async function tableClientStorage(platform: Platform, request: StorageAccessRequest): Promise<ClientStorage> {
  const { warehouse } = request;
  if (warehouse.credentialVending === 'static') return staticClientStorage(warehouse);
  if (warehouse.credentialVending !== 'sts') return { config: clientEndpointConfig(warehouse), credentials: [] };
  const asked = requestedDelegation(request.delegation);
  if (asked.size > 0 && !asked.has('vended-credentials')) return { config: clientEndpointConfig(warehouse), credentials: [] };
  return stsClientStorage(platform, request);
}
