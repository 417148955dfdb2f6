import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { plainAddress, type TrustedProxies } from '../config/index.js';

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then X-Forwarded-For is read from
 * the right (each proxy appends the address it saw) and the first address that is not a trusted proxy is the
 * client's. Entries left of it are whatever the client wrote, so they are never believed.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string | undefined {
  return clientAddressFrom(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
}

/** As clientAddress, from the socket's peer and the X-Forwarded-For header (for a server that parsed the head itself). */
export function clientAddressFrom(remoteAddress: string | undefined, header: string | string[] | undefined, trusted: TrustedProxies): string | undefined {
  const peer = remoteAddress === undefined ? undefined : plainAddress(remoteAddress);
  if (peer === undefined || trusted.none || !trusted.has(peer)) return peer;
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainAddress(hops[i] as string);
    // Not an address (a proxy that writes "unknown", or a forged entry): the last proxy seen is all that is known.
    if (isIP(hop) === 0) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}
