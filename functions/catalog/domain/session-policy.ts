/**
 * The IAM session policy that down-scopes credentials vended for one table (STS AssumeRole's `Policy`). The assumed
 * role may reach the whole warehouse; the session policy intersects it with exactly the table's prefixes, read-only
 * for a reader. Pure: the caller decides the prefixes (the table's location, its metadata and data paths) and the
 * access.
 */

/** What a caller may do with a table's files: read them, or read and write them. */
export type StorageAccessLevel = 'read' | 'write';

export interface S3Prefix {
  bucket: string;
  /** The key prefix without a trailing '/'; objects of the prefix are `${key}/...`. */
  key: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: { StringLike: { 's3:prefix': string[] } };
}

export interface SessionPolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;
export const WRITE_ACTIONS = ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:ListMultipartUploadParts', 's3:PutObject'] as const;

/** s3://bucket/key or s3a://bucket/key as bucket and key prefix (no trailing '/'); undefined for anything else. */
export function parseS3Prefix(location: string): S3Prefix | undefined {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/i.exec(location);
  if (!match?.[1]) return undefined;
  return { bucket: match[1], key: (match[2] ?? '').replace(/\/+$/, '') };
}

/**
 * A key as literal text inside a policy: `*` and `?` are IAM wildcards and `${` starts a policy variable, so a table
 * whose name holds them would otherwise widen its own grant to its neighbours' files. IAM's escapes are the
 * variables ${*}, ${?} and ${$} (policy version 2012-10-17).
 */
export function escapeIamWildcards(text: string): string {
  return text.replace(/[$*?]/g, (c) => `\${${c}}`);
}

/** The partition of an ARN (aws, aws-cn, aws-us-gov...): S3 resource ARNs must be in the role's partition. */
export function partitionOf(arn: string): string {
  return /^arn:([a-z0-9-]+):/.exec(arn)?.[1] ?? 'aws';
}

/** Objects under a prefix (the prefix itself is a folder, never an object). */
function objectsUnder(partition: string, p: S3Prefix): string {
  return `arn:${partition}:s3:::${p.bucket}/${p.key === '' ? '' : `${escapeIamWildcards(p.key)}/`}*`;
}

/**
 * The policy for `prefixes` (one table's), `access` deciding whether writes are in it. Listing is allowed per bucket
 * only with an s3:prefix inside the table's prefixes, so even the names of other tables' files stay hidden.
 */
export function tableSessionPolicy(options: { partition: string; prefixes: readonly S3Prefix[]; access: StorageAccessLevel }): SessionPolicyDocument {
  const { partition, access } = options;
  const prefixes = dedupe(options.prefixes);
  if (prefixes.length === 0) throw new Error('a session policy needs at least one prefix');
  const buckets = [...new Set(prefixes.map((p) => p.bucket))].sort();
  const objects = [...new Set(prefixes.map((p) => objectsUnder(partition, p)))].sort();
  const statements: PolicyStatement[] = buckets.map((bucket, i) => ({
    Sid: `ListTablePrefixes${i === 0 ? '' : i}`,
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [`arn:${partition}:s3:::${bucket}`],
    Condition: {
      StringLike: {
        's3:prefix': prefixes
          .filter((p) => p.bucket === bucket)
          .map((p) => (p.key === '' ? '*' : `${escapeIamWildcards(p.key)}/*`))
          .sort(),
      },
    },
  }));
  statements.push({ Sid: 'ReadTableObjects', Effect: 'Allow', Action: [...READ_ACTIONS], Resource: objects });
  if (access === 'write') statements.push({ Sid: 'WriteTableObjects', Effect: 'Allow', Action: [...WRITE_ACTIONS], Resource: objects });
  return { Version: '2012-10-17', Statement: statements };
}

/** Prefixes without repeats, and without one that lies inside another (the outer one already covers it). */
function dedupe(prefixes: readonly S3Prefix[]): S3Prefix[] {
  const inside = (a: S3Prefix, b: S3Prefix) => a.bucket === b.bucket && (b.key === '' || a.key === b.key || a.key.startsWith(`${b.key}/`));
  const out: S3Prefix[] = [];
  for (const p of prefixes) {
    if (out.some((q) => inside(p, q))) continue;
    for (let i = out.length - 1; i >= 0; i--) if (inside(out[i]!, p)) out.splice(i, 1);
    out.push(p);
  }
  return out;
}
