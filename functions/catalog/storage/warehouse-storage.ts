import { locationScheme, resolveCredentials } from '../../../shared/storage/index.js';
import type { WarehouseSummary } from '../store/warehouses.js';

export { objectStoreFor, resolveCredentials, type ResolvedCredentials } from '../../../shared/storage/index.js';

/** A StorageCredential of the spec: settings for every file under `prefix`. */
export interface StorageCredential {
  prefix: string;
  config: Record<string, string>;
}

/** What loadTable, createTable and /credentials tell a client about storage: LoadTableResult `config` and credentials. */
export interface ClientStorage {
  config: Record<string, string>;
  credentials: StorageCredential[];
}

/**
 * What any client needs to reach a warehouse's files, secrets aside: the endpoint, region and path style (a client
 * cannot guess a MinIO endpoint). Empty for a local warehouse.
 */
export function clientEndpointConfig(warehouse: WarehouseSummary): Record<string, string> {
  if (locationScheme(warehouse.storageLocation) !== 's3') return {};
  const config: Record<string, string> = {};
  if (warehouse.storage.endpoint) config['s3.endpoint'] = warehouse.storage.endpoint;
  if (warehouse.storage.region) config['client.region'] = warehouse.storage.region;
  if (warehouse.storage.pathStyleAccess !== undefined) config['s3.path-style-access'] = String(warehouse.storage.pathStyleAccess);
  return config;
}

/**
 * A `static` warehouse's answer: its own keys, which reach every table's files, to every client that may load any
 * table, whether or not it sent X-Iceberg-Access-Delegation (PyIceberg always sends vended-credentials; the header
 * only says what a client can use).
 */
export function staticClientStorage(warehouse: WarehouseSummary): ClientStorage {
  const config = clientEndpointConfig(warehouse);
  if (locationScheme(warehouse.storageLocation) !== 's3' || warehouse.credentialVending !== 'static') return { config, credentials: [] };
  const creds = resolveCredentials(warehouse.credentialsRef);
  if (!creds) return { config, credentials: [] };
  const secret: Record<string, string> = { 's3.access-key-id': creds.accessKeyId, 's3.secret-access-key': creds.secretAccessKey };
  if (creds.sessionToken) secret['s3.session-token'] = creds.sessionToken;
  return { config: { ...config, ...secret }, credentials: [{ prefix: warehouse.storageLocation, config: { ...config, ...secret } }] };
}
