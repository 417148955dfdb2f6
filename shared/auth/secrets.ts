import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Prefixes make leaked secrets recognizable to people and to secret scanners. */
export const SECRET_PREFIX = {
  personalAccessToken: 'lpat_',
  refreshToken: 'lprt_',
  clientSecret: 'lpcs_',
  clientId: 'lpsa_',
  jobTriggerToken: 'lpjt_',
} as const;

/** `bytes` of randomness rendered in base62 (rejection sampling keeps it unbiased). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248) out += BASE62[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function newSecret(prefix: string, length = 40): string {
  return prefix + randomBase62(length);
}

/**
 * Secrets we generate carry 238 bits of entropy, so one SHA-256 is enough to store them safely and lets every
 * request find its token by an indexed lookup; passwords, chosen by people, get scrypt instead.
 */
export function hashSecret(secret: string): string {
  // One-shot crypto.hash (Node >= 20.12): no Hash object per call. Every request with a personal access token or a
  // client secret hashes it, and the gateway does so for every such request as well.
  return hash('sha256', secret, 'hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A public identifier (client ids): random, but no secret. */
export function randomBase62Id(length: number): string {
  return randomBase62(length);
}
