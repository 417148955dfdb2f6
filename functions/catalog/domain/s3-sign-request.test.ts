import { describe, expect, it } from 'vitest';
import { checkSignRequest, deleteObjectsKeys, parseS3RequestUri, s3EndpointOf, SignRefusal, type SignCheck } from './s3-sign-request.js';

const endpoint = s3EndpointOf('http://127.0.0.1:9000');
const prefixes = [{ bucket: 'lake', key: 'wh/sales/orders-1' }];
const T = 'http://127.0.0.1:9000/lake/wh/sales/orders-1';

function check(uri: string, method: string, access: 'read' | 'write', extra: Partial<SignCheck> = {}) {
  return checkSignRequest({ target: parseS3RequestUri(uri, endpoint), method, headers: {}, body: undefined, prefixes, access, ...extra });
}
function refusal(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignRefusal) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('parseS3RequestUri', () => {
  it('reads path-style and virtual-hosted requests, decoding the key', () => {
    expect(parseS3RequestUri(`${T}/data/a%20b.parquet?versionId=1`, endpoint)).toMatchObject({
      bucket: 'lake',
      key: 'wh/sales/orders-1/data/a b.parquet',
      rawPath: '/lake/wh/sales/orders-1/data/a%20b.parquet',
      query: [['versionId', '1']],
    });
    expect(parseS3RequestUri('http://lake.127.0.0.1:9000/wh/x', endpoint)).toMatchObject({ bucket: 'lake', key: 'wh/x' });
    expect(parseS3RequestUri('https://lake.s3.eu-west-1.amazonaws.com/wh/x', s3EndpointOf(undefined))).toMatchObject({ bucket: 'lake', key: 'wh/x' });
    expect(parseS3RequestUri('https://s3.amazonaws.com/lake/wh/x', s3EndpointOf(undefined))).toMatchObject({ bucket: 'lake', key: 'wh/x' });
    expect(parseS3RequestUri('http://127.0.0.1:9000/lake?list-type=2&prefix=wh%2F', endpoint)).toMatchObject({
      bucket: 'lake',
      key: undefined,
      query: [
        ['list-type', '2'],
        ['prefix', 'wh/'],
      ],
    });
  });

  it('refuses . and .. segments, plain or encoded, malformed encodings and control characters', () => {
    for (const path of ['/../orders-2/x', '/data/%2e%2e/%2E%2E/orders-2/x', '/data%2F..%2F..%2Forders-2%2Fx', '/./x']) {
      expect(refusal(() => parseS3RequestUri(T + path, endpoint)).status).toBe(400);
    }
    expect(refusal(() => parseS3RequestUri(`${T}/%zz`, endpoint)).status).toBe(400);
    expect(refusal(() => parseS3RequestUri(`${T}/a%00b`, endpoint)).status).toBe(400);
  });

  it("refuses another host than the warehouse's endpoint", () => {
    expect(refusal(() => parseS3RequestUri('http://evil.example:9000/lake/wh/sales/orders-1/x', endpoint)).status).toBe(403);
    expect(refusal(() => parseS3RequestUri('http://example.com/lake/x', s3EndpointOf(undefined))).status).toBe(403);
  });
});

describe('checkSignRequest', () => {
  it("signs a reader's GET and HEAD inside the table, never a write", () => {
    expect(check(`${T}/metadata/v1.metadata.json`, 'GET', 'read')).toBe('read');
    expect(check(`${T}/data/f.parquet`, 'HEAD', 'read')).toBe('read');
    for (const method of ['PUT', 'POST', 'DELETE'])
      expect(refusal(() => check(`${T}/data/f.parquet`, method, 'read'))).toMatchObject({ status: 403, message: expect.stringMatching(/only read/) });
    expect(refusal(() => check(`${T}/x`, 'PATCH', 'write')).status).toBe(403);
  });

  it('never signs outside the table: a neighbour sharing the prefix text, another bucket, the table folder as an object', () => {
    expect(refusal(() => check('http://127.0.0.1:9000/lake/wh/sales/orders-10/x', 'GET', 'write')).message).toMatch(/outside the table/);
    expect(refusal(() => check('http://127.0.0.1:9000/other/wh/sales/orders-1/x', 'GET', 'write')).message).toMatch(/bucket other/);
    expect(refusal(() => check(T, 'GET', 'write')).status).toBe(403);
  });

  it("signs a writer's PUT, multipart and DELETE inside the table; a copy only from inside it", () => {
    expect(check(`${T}/data/f.parquet`, 'PUT', 'write')).toBe('write');
    expect(check(`${T}/data/f.parquet?uploads`, 'POST', 'write')).toBe('write');
    expect(check(`${T}/data/f.parquet?uploadId=u&partNumber=1`, 'PUT', 'write')).toBe('write');
    expect(check(`${T}/data/f.parquet`, 'DELETE', 'write')).toBe('write');
    expect(check(`${T}/data/g.parquet`, 'PUT', 'write', { headers: { 'x-amz-copy-source': ['/lake/wh/sales/orders-1/data/f.parquet'] } })).toBe('write');
    expect(
      refusal(() => check(`${T}/data/g.parquet`, 'PUT', 'write', { headers: { 'x-amz-copy-source': ['lake/wh/sales/orders-2/data/f.parquet'] } })).message,
    ).toMatch(/copy source/);
    expect(
      refusal(() => check(`${T}/data/g.parquet`, 'PUT', 'write', { headers: { 'x-amz-copy-source': ['lake/wh/sales/orders-1/../orders-2/f'] } })).status,
    ).toBe(400);
  });

  it('refuses subresources that are not content (ACLs, tagging, policies)', () => {
    expect(refusal(() => check(`${T}/data/f.parquet?acl`, 'PUT', 'write')).message).toMatch(/\?acl/);
    expect(refusal(() => check('http://127.0.0.1:9000/lake?policy', 'GET', 'write')).status).toBe(403);
  });

  it('signs a listing only under the table', () => {
    expect(check('http://127.0.0.1:9000/lake?list-type=2&prefix=wh%2Fsales%2Forders-1%2Fdata%2F', 'GET', 'read')).toBe('read');
    expect(check('http://127.0.0.1:9000/lake?list-type=2&prefix=wh%2Fsales%2Forders-1%2F&delimiter=%2F', 'GET', 'read')).toBe('read');
    for (const q of ['list-type=2', 'list-type=2&prefix=wh%2Fsales%2Forders-1', 'list-type=2&prefix=wh%2Fsales%2F']) {
      expect(refusal(() => check(`http://127.0.0.1:9000/lake?${q}`, 'GET', 'read')).status).toBe(403);
    }
  });

  it('signs DeleteObjects only with its body, every key inside the table', () => {
    const body = (...keys: string[]) => `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`;
    const uri = 'http://127.0.0.1:9000/lake?delete';
    expect(check(uri, 'POST', 'write', { body: body('wh/sales/orders-1/a', 'wh/sales/orders-1/b&amp;c') })).toBe('write');
    expect(refusal(() => check(uri, 'POST', 'write')).message).toMatch(/only signed with its body/);
    expect(refusal(() => check(uri, 'POST', 'write', { body: body('wh/sales/orders-1/a', 'wh/sales/orders-2/a') })).status).toBe(403);
    expect(refusal(() => check(uri, 'POST', 'write', { body: body('wh/sales/orders-1/&#46;&#46;/orders-2/a') })).status).toBe(400);
    expect(deleteObjectsKeys(body('a&lt;b', 'c&#x2F;d'))).toEqual(['a<b', 'c/d']);
  });
});
