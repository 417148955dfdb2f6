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
    throw new UnavailableError(
      `storage credentials ${ref} are not configured: set ${prefix}_ACCESS_KEY_ID and ${prefix}_SECRET_ACCESS_KEY in the catalog function's environment`,
    );
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
