export { type ObjectStore, type S3Settings, StorageConflictError, StorageNotFoundError, childLocation, locationScheme } from './object-store.js';
export { LocalObjectStore } from './local-object-store.js';
export { LocationOutsideError, StoragePath, StorageRoot, UnsafeLocationError, type StorageScheme } from './storage-path.js';
export { openS3ObjectStore } from './open-s3-object-store.js';
export { objectStoreFor, resolveCredentials, type ResolvedCredentials, type WarehouseStorageRef } from './warehouse-object-stores.js';
export { stsRoleAssumer, type AssumeRoleRequest, type RoleAssumer, type RoleCredentials } from './role-assumer.js';
export { awsUriEncode, sha256Hex, signSigV4, UNSIGNED_PAYLOAD, type SigV4Credentials, type SigV4Request } from './sigv4.js';
