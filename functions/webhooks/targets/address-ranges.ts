import { BlockList, isIPv4 } from 'node:net';
import type { CidrRange } from '../../../shared/config/index.js';

/**
 * Addresses a webhook never reaches unless an admin allow-lists them: from inside the cluster they lead to the
 * platform's own services, the node, or the cloud's metadata endpoint (server-side request forgery).
 */
const REFUSED: ReadonlyArray<readonly [network: string, prefix: number, family: 'ipv4' | 'ipv6', what: string]> = [
  ['0.0.0.0', 8, 'ipv4', '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved (and broadcast)'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::ffff:0:0', 96, 'ipv6', 'IPv4-mapped IPv6'],
  ['64:ff9b::', 96, 'ipv6', 'IPv4/IPv6 translation (NAT64)'],
  ['fc00::', 7, 'ipv6', 'unique-local IPv6'],
  ['fe80::', 10, 'ipv6', 'link-local IPv6'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const refused = REFUSED.map(([network, prefix, family, what]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, what: `${what}, ${network}/${prefix}` };
});

/** The admin's allow-list (LAKEPLANE_WEBHOOK_ALLOWED_CIDRS) as a matcher. */
export function allowListOf(ranges: readonly CidrRange[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) list.addSubnet(r.network, r.prefix, r.family);
  return list;
}

/** The embedded IPv4 of an IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:xxxx:yyyy), else undefined. */
function mappedIPv4(address: string): string | undefined {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2] as string, 16);
  const lo = parseInt(m[3] as string, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * Why an address may not be a webhook's target, or undefined when it may: refused ranges are off limits unless the
 * allow-list holds the address (an IPv4-mapped address is allowed when the allow-list holds its IPv4).
 */
export function refusalOf(address: string, allowed: BlockList): string | undefined {
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  const v4 = family === 'ipv6' ? mappedIPv4(address) : undefined;
  if (allowed.check(address, family) || (v4 !== undefined && allowed.check(v4, 'ipv4'))) return undefined;
  // BlockList matches IPv4-mapped addresses against IPv4 rules too: compare within the address's own family only.
  const hit = refused.find((r) => r.family === family && r.list.check(address, family));
  return hit?.what;
}

const allowListsBySetting = new Map<string, BlockList>();

/** The allow-list of a LAKEPLANE_WEBHOOK_ALLOWED_CIDRS value (checked at startup), built once per value. */
export function allowListOfSetting(setting: string | undefined, parse: (text: string) => CidrRange[]): BlockList {
  const key = setting ?? '';
  let list = allowListsBySetting.get(key);
  if (!list) allowListsBySetting.set(key, (list = allowListOf(parse(key))));
  return list;
}
