import type { ObjectStore, S3Settings } from './object-store.js';

/**
 * The S3 store, loaded on first use: the AWS SDK is megabytes of code that a function without an S3 warehouse
 * (and every cold start) should not parse.
 */
export async function openS3ObjectStore(settings: S3Settings): Promise<ObjectStore & { close(): void }> {
  const { S3ObjectStore } = await import('./s3-object-store.js');
  return new S3ObjectStore(settings);
}
