import { BadRequestError, UnavailableError } from '../errors/index.js';
import { LocalObjectStore } from './local-object-store.js';
import { locationScheme, type ObjectStore, type S3Settings } from './object-store.js';
import { openS3ObjectStore } from './open-s3-object-store.js';

/** What reaching a warehouse's files takes: where they are, how to reach the store, which credentials. */
export interface WarehouseStorageRef {
  id: string;
  name: string;
  storageLocation: string;
  storage: Pick<S3Settings, 'region' | 'endpoint' | 'pathStyleAccess'>;
  credentialsRef: string | null;
}

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
export async function objectStoreFor(warehouse: WarehouseStorageRef): Promise<ObjectStore> {
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
