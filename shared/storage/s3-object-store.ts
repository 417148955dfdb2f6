import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { StorageConflictError, StorageNotFoundError, requireScheme, type ObjectStore, type S3Settings } from './object-store.js';
import type { StoragePath } from './storage-path.js';

/** The bucket and the key as written, which StorageRoot.resolve() checked. */
function parseS3(location: StoragePath): { bucket: string; key: string } {
  requireScheme(location, 's3');
  return { bucket: location.bucket, key: location.key };
}

function status(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * S3 and S3-compatible servers (MinIO, Ceph, moto) through the AWS SDK v3. New objects are written with
 * If-None-Match: *, so two writers of one metadata file cannot both succeed where the server supports conditional
 * writes (AWS S3, MinIO, moto: object-store.cases.ts races eight writers against the server); the catalog's own
 * compare-and-swap in the database is what keeps commits safe either way.
 */
export class S3ObjectStore implements ObjectStore {
  readonly scheme = 's3' as const;
  private readonly client: S3Client;

  constructor(settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region ?? 'us-east-1',
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.pathStyleAccess ?? false,
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Metadata files are small and requests are retried by the client (Iceberg's) anyway.
      maxAttempts: 3,
    });
  }

  async read(location: StoragePath): Promise<Buffer> {
    const { bucket, key } = parseS3(location);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (status(err) === 404) throw new StorageNotFoundError(`${location} does not exist`);
      throw err;
    }
  }

  async writeNew(location: StoragePath, data: Buffer | string): Promise<void> {
    const { bucket, key } = parseS3(location);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: typeof data === 'string' ? Buffer.from(data) : data,
          IfNoneMatch: '*',
          ContentType: 'application/json',
        }),
      );
    } catch (err) {
      const code = status(err);
      if (code === 412 || code === 409) throw new StorageConflictError(`${location} already exists`);
      throw err;
    }
  }

  async exists(location: StoragePath): Promise<boolean> {
    const { bucket, key } = parseS3(location);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if (status(err) === 404) return false;
      throw err;
    }
  }

  async deleteObject(location: StoragePath): Promise<void> {
    const { bucket, key } = parseS3(location);
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  /**
   * The object at the location itself and every object below it as a folder (key/...), the same set
   * LocalObjectStore deletes: s3://b/t1 takes s3://b/t1 and s3://b/t1/x, never s3://b/t10/x or s3://b/t1.json.
   * Listing pages and DeleteObjects batches both hold at most 1000 keys; a key the server failed to delete fails the
   * call rather than being counted.
   */
  async deletePrefix(location: StoragePath): Promise<number> {
    const { bucket, key } = parseS3(location);
    let deleted = 0;
    if (key !== '' && (await this.exists(location))) {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      deleted += 1;
    }
    const prefix = key === '' ? '' : `${key}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) {
        const out = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
        const failed = out.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0]!;
          throw new Error(
            `could not delete ${failed.length} of ${keys.length} objects under ${location}: s3://${bucket}/${first.Key ?? '?'}: ${first.Code ?? ''} ${first.Message ?? ''}`.trim(),
          );
        }
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  close(): void {
    this.client.destroy();
  }
}
