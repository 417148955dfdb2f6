export { type ObjectStore, type S3Settings, StorageConflictError, StorageNotFoundError, childLocation, locationScheme } from './object-store.js';
export { LocalObjectStore } from './local-object-store.js';
export { LocationOutsideError, StoragePath, StorageRoot, UnsafeLocationError, type StorageScheme } from './storage-path.js';
import type { ObjectStore, S3Settings } from './object-store.js';

/**
 * The S3 store, loaded on first use: the AWS SDK is megabytes of code that a function without an S3 warehouse
 * (and every cold start) should not parse.
 */
export async function openS3ObjectStore(settings: S3Settings): Promise<ObjectStore & { close(): void }> {
  const { S3ObjectStore } = await import('./s3-object-store.js');
  return new S3ObjectStore(settings);
}
export { stsRoleAssumer, type AssumeRoleRequest, type RoleAssumer, type RoleCredentials } from './role-assumer.js';
export { awsUriEncode, sha256Hex, signSigV4, UNSIGNED_PAYLOAD, type SigV4Credentials, type SigV4Request } from './sigv4.js';
