import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { missingPrerequisite } from './prerequisites.js';

/**
 * An S3-compatible server for the suites that need one: LAKEPLANE_S3_ENDPOINT names it (scripts/start-s3.sh starts
 * moto on loopback and prints it). moto takes any key; another server's keys come from LAKEPLANE_S3_ACCESS_KEY_ID and
 * LAKEPLANE_S3_SECRET_ACCESS_KEY.
 */
export interface TestS3 {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** An SDK client of our own, to look at the bucket behind the code under test's back. */
  client: S3Client;
}

/** The server, or undefined after saying loudly what is skipped (a failure under LAKEPLANE_REQUIRE_ALL=1). */
export function testS3(what: string): TestS3 | undefined {
  const endpoint = process.env['LAKEPLANE_S3_ENDPOINT'];
  if (!endpoint) {
    missingPrerequisite(what, 'LAKEPLANE_S3_ENDPOINT is not set (start moto with scripts/start-s3.sh and export what it prints; CI does)');
    return undefined;
  }
  const region = process.env['LAKEPLANE_S3_REGION'] ?? 'us-east-1';
  const credentials = {
    accessKeyId: process.env['LAKEPLANE_S3_ACCESS_KEY_ID'] ?? 'lakeplane-test',
    secretAccessKey: process.env['LAKEPLANE_S3_SECRET_ACCESS_KEY'] ?? 'lakeplane-test-secret',
  };
  const client = new S3Client({ region, endpoint, forcePathStyle: true, credentials });
  return { endpoint, region, credentials, client };
}

/** A fresh bucket, so test files and reruns against a long-lived server never see each other's objects. */
export async function createTestBucket(s3: TestS3, label: string): Promise<{ bucket: string; drop(): Promise<void> }> {
  const bucket = `lakeplane-${label}-${randomBytes(4).toString('hex')}`;
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    bucket,
    async drop() {
      for (;;) {
        const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (keys.length === 0) break;
        await s3.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      }
      await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    },
  };
}

/** Every key under a prefix (all pages), sorted. */
export async function listKeys(s3: TestS3, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** A warehouse's `storage` settings for a test server: path-style addressing, as moto and s3s-fs serve buckets. */
export function storageOf(server: { region: string; endpoint: string }): { region: string; endpoint: string; pathStyleAccess: true } {
  return { region: server.region, endpoint: server.endpoint, pathStyleAccess: true };
}

/**
 * Gives the catalog under test a server's keys the way an operator does, through the environment a credentialsRef
 * names (the embedded platform of a test reads this process's environment). Returns that credentialsRef.
 */
export function keysForCatalog(ref: string, credentials: { accessKeyId: string; secretAccessKey: string }): string {
  process.env[`${ref}_ACCESS_KEY_ID`] = credentials.accessKeyId;
  process.env[`${ref}_SECRET_ACCESS_KEY`] = credentials.secretAccessKey;
  return `env:${ref}`;
}
