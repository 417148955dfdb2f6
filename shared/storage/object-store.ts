import type { StoragePath } from './storage-path.js';

/**
 * Where table data and metadata files live. Locations are URIs as Iceberg writes them (file:/..., file:///...,
 * s3://bucket/key); each store serves one scheme. The catalog writes metadata files and purges tables through it.
 * Every method takes a StoragePath, which only StorageRoot.resolve() makes: a store never sees a location that was
 * not checked to lie inside its warehouse after normalization.
 */
export interface ObjectStore {
  readonly scheme: 'file' | 's3';
  /** The bytes at a location; StorageNotFoundError when there are none. */
  read(location: StoragePath): Promise<Buffer>;
  /** Writes a new object; refuses (StorageConflictError) to replace one that exists. */
  writeNew(location: StoragePath, data: Buffer | string): Promise<void>;
  /** Whether an object is at the location; a folder (objects under location/) is not one. */
  exists(location: StoragePath): Promise<boolean>;
  /** Deletes one object; one that is already gone, or a folder, is not an error and nothing else goes. */
  deleteObject(location: StoragePath): Promise<void>;
  /**
   * Deletes the object at a location and every object under it as a folder (location/...), segment by segment:
   * s3://b/t1 takes s3://b/t1/x but never s3://b/t10/x. Returns how many objects went.
   */
  deletePrefix(location: StoragePath): Promise<number>;
}

/** A path for another scheme's store is a wiring fault, never something to act on. */
export function requireScheme(location: StoragePath, scheme: 'file' | 's3'): void {
  if (location.scheme !== scheme) throw new Error(`a ${scheme} store was handed ${location.location}`);
}

export class StorageNotFoundError extends Error {}
export class StorageConflictError extends Error {}

/** Settings of an S3-compatible store (AWS S3, MinIO, Ceph, moto...). */
export interface S3Settings {
  region?: string | undefined;
  endpoint?: string | undefined;
  pathStyleAccess?: boolean | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
}

export function locationScheme(location: string): 'file' | 's3' | undefined {
  if (/^file:/i.test(location)) return 'file';
  if (/^s3a?:\/\//i.test(location)) return 's3';
  return undefined;
}

/** A location with exactly one '/' between it and a child path. */
export function childLocation(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
}
