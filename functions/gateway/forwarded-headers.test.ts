import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.js';
import { upstreamRequestHeaders, type ReceivedRequest } from './forwarded-headers.js';

const request = (peer: string, headers: Record<string, string>): ReceivedRequest => ({
  remoteAddress: peer,
  encrypted: false,
  lines: Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
});
const trusting = (list: string) => loadConfig({ LAKEPLANE_TRUSTED_PROXIES: list }).trustedProxies;
const asObject = (lines: string[]) => Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));

describe('headers across the gateway', () => {
  it('drops hop-by-hop headers, those the Connection header names, Host and Expect; sets the request id', () => {
    const out = upstreamRequestHeaders(
      request('::ffff:10.1.2.3', {
        host: 'lakeplane.example.com',
        connection: 'keep-alive, X-Private-Hop',
        'keep-alive': 'timeout=5',
        'x-private-hop': '1',
        te: 'trailers',
        expect: '100-continue',
        'x-request-id': 'theirs',
        authorization: 'Bearer t',
        'content-type': 'application/json',
      }),
      'ours',
      trusting(''),
    );
    expect(out).toEqual([
      'authorization: Bearer t',
      'content-type: application/json',
      'x-forwarded-for: 10.1.2.3',
      'x-forwarded-proto: http',
      'x-forwarded-host: lakeplane.example.com',
      'x-request-id: ours',
    ]);
  });

  it('believes X-Forwarded-* only from a trusted proxy, and appends the peer so the function reads the client from the right', () => {
    const forged = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', host: 'gw' };
    expect(asObject(upstreamRequestHeaders(request('203.0.113.9', forged), 'id', trusting('10.0.0.0/8')))).toMatchObject({
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw',
    });
    expect(asObject(upstreamRequestHeaders(request('10.0.0.7', forged), 'id', trusting('10.0.0.0/8')))).toMatchObject({
      'x-forwarded-for': '6.6.6.6, 10.0.0.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
    });
  });

  it('keeps repeated headers as they came', () => {
    const out = upstreamRequestHeaders(
      { remoteAddress: '127.0.0.1', encrypted: false, lines: ['Accept: a', 'Cookie: x=1', 'Content-Type: text/plain', 'Accept: b'] },
      'r',
      trusting(''),
    );
    expect(out.slice(0, 4)).toEqual(['Accept: a', 'Cookie: x=1', 'Content-Type: text/plain', 'Accept: b']);
  });
});
