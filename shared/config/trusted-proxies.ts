import { BlockList, isIP } from 'node:net';
import { parseCidrList, type CidrRange } from './cidr-list.js';

/** The reverse proxies whose X-Forwarded-For is believed (LAKEPLANE_TRUSTED_PROXIES). */
export interface TrustedProxies {
  readonly none: boolean;
  has(address: string): boolean;
}

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; rules and keys speak of them as a.b.c.d. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

/** Parses "10.0.0.0/8, 192.168.1.7, fd00::/8"; the problem names the entry that is neither an address nor a range. */
export function parseTrustedProxies(text: string): { trusted: TrustedProxies } | { problem: string } {
  let ranges: CidrRange[];
  try {
    ranges = parseCidrList(text);
  } catch (e) {
    return { problem: `has ${(e as Error).message}` };
  }
  const list = new BlockList();
  for (const r of ranges) list.addSubnet(r.network, r.prefix, r.family);
  return {
    trusted: {
      none: ranges.length === 0,
      has(candidate: string) {
        const address = plainAddress(candidate);
        const family = isIP(address);
        return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
      },
    },
  };
}
