export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** The OAuth2 grant types the token endpoint speaks (RFC 6749 4.3, 4.4, 6; RFC 8693). */
export const GRANT_TYPES = ['password', 'client_credentials', 'refresh_token', TOKEN_EXCHANGE] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export function isGrantType(v: string): v is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(v);
}

/** After `maxFailures` misses, each further miss doubles the wait, from `baseSeconds` up to `capSeconds`. */
export function lockoutSeconds(failures: number, maxFailures: number, baseSeconds: number, capSeconds: number): number {
  if (failures < maxFailures) return 0;
  return Math.min(capSeconds, baseSeconds * 2 ** Math.min(failures - maxFailures, 30));
}

/** Client credentials may come in the Authorization header (RFC 6749 2.3.1) or the form body; never both. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^Basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  // RFC 6749 2.3.1: both parts are form-urlencoded before base64.
  const unescape = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return { id: unescape(decoded.slice(0, i)), secret: unescape(decoded.slice(i + 1)) };
  } catch {
    return undefined;
  }
}
