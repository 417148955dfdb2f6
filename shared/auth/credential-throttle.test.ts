import { describe, expect, it } from 'vitest';
import { addressBucket } from './credential-throttle.js';
import { lockoutSeconds } from './grants.js';

describe('addressBucket', () => {
  it('keeps IPv4 addresses, and counts an IPv6 client by its /64', () => {
    expect(addressBucket('203.0.113.5')).toBe('203.0.113.5');
    expect(addressBucket(undefined)).toBe('unknown');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002::7')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('lockoutSeconds', () => {
  it('waits from the limit on, doubling per further failure, up to the cap', () => {
    expect([2, 3, 4, 5].map((f) => lockoutSeconds(f, 3, 30, 3600))).toEqual([0, 30, 60, 120]);
    expect(lockoutSeconds(20, 3, 30, 3600)).toBe(3600);
    expect(lockoutSeconds(10_000, 3, 30, 3600)).toBe(3600);
  });
});
