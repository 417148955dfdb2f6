import { describe, expect, it } from 'vitest';
import { escapeIamWildcards, parseS3Prefix, partitionOf, tableSessionPolicy } from './session-policy.js';

const table = { bucket: 'lake', key: 'wh/sales/orders-0a1b' };

describe('tableSessionPolicy', () => {
  it("a reader may list and get the table's objects and nothing else", () => {
    expect(tableSessionPolicy({ partition: 'aws', prefixes: [table], access: 'read' })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListTablePrefixes',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::lake'],
          Condition: { StringLike: { 's3:prefix': ['wh/sales/orders-0a1b/*'] } },
        },
        { Sid: 'ReadTableObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: ['arn:aws:s3:::lake/wh/sales/orders-0a1b/*'] },
      ],
    });
  });

  it('a writer also may put and delete objects, under the same prefixes only', () => {
    const policy = tableSessionPolicy({ partition: 'aws', prefixes: [table], access: 'write' });
    const write = policy.Statement.find((s) => s.Sid === 'WriteTableObjects')!;
    expect(write.Action).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    expect(write.Resource).toEqual(['arn:aws:s3:::lake/wh/sales/orders-0a1b/*']);
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => /Put|Delete/.test(a))).toEqual(['s3:DeleteObject', 's3:PutObject']);
  });

  it('a reader is never given an action that writes', () => {
    const policy = tableSessionPolicy({ partition: 'aws', prefixes: [table], access: 'read' });
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => /Put|Delete|Abort|Multipart/.test(a))).toEqual([]);
  });

  it('escapes * ? and $ in keys, so a table named with them cannot widen the policy to its neighbours', () => {
    const policy = tableSessionPolicy({
      partition: 'aws',
      prefixes: [
        { bucket: 'lake', key: 'wh/ns/*' },
        { bucket: 'lake', key: 'wh/ns/t?${aws:username}' },
      ],
      access: 'write',
    });
    const text = JSON.stringify(policy);
    expect(policy.Statement[1]!.Resource).toEqual(['arn:aws:s3:::lake/wh/ns/${*}/*', 'arn:aws:s3:::lake/wh/ns/t${?}${$}{aws:username}/*']);
    expect(policy.Statement[0]!.Condition!.StringLike['s3:prefix']).toEqual(['wh/ns/${*}/*', 'wh/ns/t${?}${$}{aws:username}/*']);
    // Every unescaped wildcard is the one trailing "/*" a prefix is granted with.
    for (const r of [...policy.Statement.flatMap((s) => s.Resource), ...policy.Statement[0]!.Condition!.StringLike['s3:prefix']]) {
      expect(r.replace(/\$\{[*?$]\}/g, '').replace(/\/\*$/, ''), r).not.toMatch(/[*?]|\$\{/);
    }
    expect(text).not.toContain('ns/*/');
  });

  it('covers the metadata and data paths too, once each, and drops a prefix inside another', () => {
    const policy = tableSessionPolicy({
      partition: 'aws',
      prefixes: [table, { bucket: 'lake', key: 'wh/sales/orders-0a1b/metadata' }, { bucket: 'lake', key: 'wh/meta/orders' }, table],
      access: 'read',
    });
    expect(policy.Statement[1]!.Resource).toEqual(['arn:aws:s3:::lake/wh/meta/orders/*', 'arn:aws:s3:::lake/wh/sales/orders-0a1b/*']);
    expect(policy.Statement[0]!.Condition!.StringLike['s3:prefix']).toEqual(['wh/meta/orders/*', 'wh/sales/orders-0a1b/*']);
  });

  it("lists each bucket under its own condition, and follows the role's partition", () => {
    const policy = tableSessionPolicy({ partition: 'aws-cn', prefixes: [table, { bucket: 'other', key: 'data/orders' }], access: 'read' });
    expect(policy.Statement.slice(0, 2).map((s) => [s.Resource, s.Condition])).toEqual([
      [['arn:aws-cn:s3:::lake'], { StringLike: { 's3:prefix': ['wh/sales/orders-0a1b/*'] } }],
      [['arn:aws-cn:s3:::other'], { StringLike: { 's3:prefix': ['data/orders/*'] } }],
    ]);
  });

  it('refuses to build a policy without a prefix', () => {
    expect(() => tableSessionPolicy({ partition: 'aws', prefixes: [], access: 'read' })).toThrow(/at least one prefix/);
  });
});

describe('helpers', () => {
  it('parses s3 and s3a locations, trailing slashes dropped', () => {
    expect(parseS3Prefix('s3://lake/wh/t/')).toEqual({ bucket: 'lake', key: 'wh/t' });
    expect(parseS3Prefix('s3a://lake/wh')).toEqual({ bucket: 'lake', key: 'wh' });
    expect(parseS3Prefix('file:///tmp/wh')).toBeUndefined();
  });
  it('escapes IAM wildcards and variables', () => {
    expect(escapeIamWildcards('a*b?c$d')).toBe('a${*}b${?}c${$}d');
  });
  it('reads the partition of a role ARN', () => {
    expect(partitionOf('arn:aws-us-gov:iam::123456789012:role/r')).toBe('aws-us-gov');
  });
});
