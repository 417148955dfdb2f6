import { BlockList, isIP } from 'node:net';

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
  const list = new BlockList();
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || (bits as number) > maxBits))) {
      return { problem: `has "${entry}", which is neither an IP address nor a CIDR range` };
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return {
    trusted: {
      none: entries.length === 0,
      has(candidate: string) {
        const address = plainAddress(candidate);
        const family = isIP(address);
        return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
      },
    },
  };
}
