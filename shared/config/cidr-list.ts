import { isIP } from 'node:net';

/** One CIDR range: a network address, its prefix length and its family. */
export interface CidrRange {
  readonly network: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * A comma-separated list of CIDR ranges ("127.0.0.1/32, fd00::/8"), as an admin writes it in a setting. A bare
 * address counts as a single host (/32 or /128). Throws a message naming the entry that is not a range.
 */
export function parseCidrList(text: string): CidrRange[] {
  const ranges: CidrRange[] = [];
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const [address = '', prefixText, extra] = entry.split('/');
    const version = isIP(address);
    if (version === 0 || extra !== undefined) throw new Error(`"${entry}" is not a CIDR range (like 10.0.0.0/8 or fd00::/8)`);
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${entry}" has a prefix length outside 0..${max}`);
    ranges.push({ network: address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' });
  }
  return ranges;
}
