import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './check-target.js';

/**
 * POSTs to a checked target, connecting only to its checked address: the socket's lookup answers with that address
 * instead of asking DNS again, so a name that rebinds to a refused range after the check is never reached. The Host
 * header and TLS (SNI, certificate name) still use the URL's host name. Redirects are not followed: a 3xx is the
 * answer. Resolves with the status once the response has been read.
 */
export function postPinned(target: CheckedTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(target.url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      // A fresh connection each time: a pooled socket would carry an address checked for an earlier delivery.
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.end(body);
  });
}
