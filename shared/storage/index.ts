export { type ObjectStore, type S3Settings, StorageConflictError, StorageNotFoundError, childLocation, isUnder, locationScheme } from './object-store.js';
export { LocalObjectStore, localPath } from './local-object-store.js';
export { S3ObjectStore } from './s3-object-store.js';
