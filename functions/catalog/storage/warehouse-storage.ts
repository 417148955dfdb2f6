import { BadRequestError, UnavailableError } from '../../../shared/errors/index.js';
import { LocalObjectStore, locationScheme, openS3ObjectStore, type ObjectStore, type S3Settings } from '../../../shared/storage/index.js';
import type { WarehouseSummary } from '../store/warehouses.js';

export interface ResolvedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Reads the credentials a warehouse's credentialsRef points at. Secrets stay in the environment, never in the store. */
export function resolveCredentials(ref: string | null, env: NodeJS.ProcessEnv = process.env): ResolvedCredentials | undefined {
  if (!ref) return undefined;
  const prefix = ref.slice('env:'.length);
  const accessKeyId = env[`${prefix}_ACCESS_KEY_ID`];
  const secretAccessKey = env[`${prefix}_SECRET_ACCESS_KEY`];
  if (!accessKeyId || !secretAccessKey) {
    // A server misconfiguration, not the client's fault: 503 until an operator sets them (warehouse creation
    // checks them up front and answers 400 instead).
    throw new UnavailableError(`storage credentials ${ref} are not configured: set ${prefix}_ACCESS_KEY_ID and ${prefix}_SECRET_ACCESS_KEY in the catalog function's environment`);
  }
  return { accessKeyId, secretAccessKey, sessionToken: env[`${prefix}_SESSION_TOKEN`] || undefined };
}

const local = new LocalObjectStore();
const s3Stores = new Map<string, Promise<ObjectStore>>();

/** The object store of a warehouse, kept per configuration so S3 connections are reused across requests. */
export async function objectStoreFor(warehouse: WarehouseSummary): Promise<ObjectStore> {
  const scheme = locationScheme(warehouse.storageLocation);
  if (scheme === 'file') return local;
  if (scheme !== 's3') throw new BadRequestError(`warehouse ${warehouse.name} has an unsupported storage location ${warehouse.storageLocation}`);
  const settings: S3Settings = { ...warehouse.storage, credentials: resolveCredentials(warehouse.credentialsRef) };
  const key = JSON.stringify([warehouse.id, settings]);
  let store = s3Stores.get(key);
  if (!store) {
    store = openS3ObjectStore(settings);
    s3Stores.set(key, store);
  }
  return store;
}

/**
 * What a client needs to reach the table's files, as LoadTableResult `config` and StorageCredential entries. The
 * endpoint, region and path style are always said (a client cannot guess a MinIO endpoint); the secret only when the
 * warehouse vends credentials. A vending warehouse vends to every client that may load the table, whether or not it
 * sent X-Iceberg-Access-Delegation: PyIceberg does not send it, and the header only says what a client can use.
 */
export function clientStorageConfig(warehouse: WarehouseSummary): { config: Record<string, string>; credentials: Array<{ prefix: string; config: Record<string, string> }> } {
  if (locationScheme(warehouse.storageLocation) !== 's3') return { config: {}, credentials: [] };
  const config: Record<string, string> = {};
  if (warehouse.storage.endpoint) config['s3.endpoint'] = warehouse.storage.endpoint;
  if (warehouse.storage.region) config['client.region'] = warehouse.storage.region;
  if (warehouse.storage.pathStyleAccess !== undefined) config['s3.path-style-access'] = String(warehouse.storage.pathStyleAccess);
  if (warehouse.credentialVending !== 'static') return { config, credentials: [] };
  const creds = resolveCredentials(warehouse.credentialsRef);
  if (!creds) return { config, credentials: [] };
  const secret: Record<string, string> = { 's3.access-key-id': creds.accessKeyId, 's3.secret-access-key': creds.secretAccessKey };
  if (creds.sessionToken) secret['s3.session-token'] = creds.sessionToken;
  return { config: { ...config, ...secret }, credentials: [{ prefix: warehouse.storageLocation, config: { ...config, ...secret } }] };
}
