import { describe, expect, it } from 'vitest';
import { awsUriEncode, signSigV4 } from './sigv4.js';

const EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('signSigV4', () => {
  it("signs AWS's documented GET Object example to its documented signature", () => {
    const headers = signSigV4(
      {
        method: 'GET',
        host: 'examplebucket.s3.amazonaws.com',
        rawPath: '/test.txt',
        query: [],
        headers: { range: ['bytes=0-9'] },
        payloadHash: EMPTY_SHA,
        region: 'us-east-1',
        now: new Date('2013-05-24T00:00:00Z'),
      },
      EXAMPLE,
    );
    expect(headers).toEqual({
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': EMPTY_SHA,
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    });
  });

  it("signs AWS's documented ListObjects example (query parameters sorted and encoded)", () => {
    const headers = signSigV4(
      {
        method: 'GET',
        host: 'examplebucket.s3.amazonaws.com',
        rawPath: '/',
        query: [
          ['prefix', 'J'],
          ['max-keys', '2'],
        ],
        headers: {},
        payloadHash: EMPTY_SHA,
        region: 'us-east-1',
        now: new Date('2013-05-24T00:00:00Z'),
      },
      EXAMPLE,
    );
    expect(headers['authorization']).toMatch(/Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/);
  });

  it('adds the session token, signed, and leaves user-agent and content-length out of the signature', () => {
    const headers = signSigV4(
      {
        method: 'PUT',
        host: 'h:9000',
        rawPath: '/b/k',
        query: [],
        headers: { 'user-agent': ['x'], 'content-length': ['3'], 'x-amz-meta-a': ['1'] },
        payloadHash: 'UNSIGNED-PAYLOAD',
        region: 'us-east-1',
      },
      { ...EXAMPLE, sessionToken: 'tok' },
    );
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers['authorization']).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-a;x-amz-security-token,');
  });

  it('encodes as SigV4 wants', () => {
    expect(awsUriEncode("a b/c*~'!")).toBe('a%20b%2Fc%2A~%27%21');
  });
});
