/**
 * Where table data and metadata files live. Locations are URIs as Iceberg writes them (file:/..., file:///...,
 * s3://bucket/key); each store serves one scheme. The catalog writes metadata files and purges tables through it.
 */
export interface ObjectStore {
  readonly scheme: 'file' | 's3';
  /** The bytes at a location; StorageNotFoundError when there are none. */
  read(location: string): Promise<Buffer>;
  /** Writes a new object; refuses (StorageConflictError) to replace one that exists. */
  writeNew(location: string, data: Buffer | string): Promise<void>;
  /** Whether an object is at the location; a folder (objects under location/) is not one. */
  exists(location: string): Promise<boolean>;
  /** Deletes one object; one that is already gone, or a folder, is not an error and nothing else goes. */
  deleteObject(location: string): Promise<void>;
  /**
   * Deletes the object at a location and every object under it as a folder (location/...), as isUnder() draws the
   * line: s3://b/t1 takes s3://b/t1/x but never s3://b/t10/x. Returns how many objects went.
   */
  deletePrefix(location: string): Promise<number>;
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

/** Whether `location` is `prefix` or lies under it (compared as paths, so /wh1 is not under /wh). */
export function isUnder(location: string, prefix: string): boolean {
  const norm = (l: string) => l.replace(/^file:\/\/\//i, 'file:/').replace(/^s3a:/i, 's3:').replace(/\/+$/, '');
  const a = norm(location);
  const b = norm(prefix);
  return a === b || a.startsWith(b + '/');
}
