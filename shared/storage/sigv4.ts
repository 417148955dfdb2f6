import * as nodeCrypto from 'node:crypto';

const { createHash, createHmac } = nodeCrypto;
/**
 * crypto.hash (Node >= 20.12): one call and no Hash object, which is half the CPU of createHash for a short text and
 * leaves no native handle for the GC to finalize; the signer hashes on every request. createHash where it is missing.
 */
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;

/**
 * AWS Signature Version 4 for S3 requests signed on a client's behalf (Iceberg's remote signing): the client sends
 * what it will send to S3, the catalog signs it with keys the client never sees. Only the headers S3 needs to bind
 * are signed (host, content-md5, content-type, range, x-amz-*), so the client's HTTP library may still set its own
 * (user-agent, content-length, expect) after signing.
 */
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SigV4Request {
  method: string;
  /** host[:port] as the client sends it. */
  host: string;
  /** The path exactly as the client sends it (already percent-encoded). */
  rawPath: string;
  /** Decoded query parameters. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Header names lowercased. */
  headers: Readonly<Record<string, readonly string[]>>;
  /** The hex SHA-256 of the payload, or UNSIGNED-PAYLOAD. */
  payloadHash: string;
  region: string;
  service?: string;
  now?: Date;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (uppercase hex). */
export function awsUriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** x-amz-date of the current second, made once per second rather than per request. */
let lastSecond = -1;
let lastAmzDate = '';
function amzDateOf(now: Date | undefined): string {
  const ms = (now ?? new Date()).getTime();
  const second = Math.floor(ms / 1000);
  if (second === lastSecond) return lastAmzDate;
  const text = new Date(second * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  if (now === undefined) {
    lastSecond = second;
    lastAmzDate = text;
  }
  return text;
}

const SIGNED = (name: string) => name === 'content-md5' || name === 'content-type' || name === 'range' || name.startsWith('x-amz-');

/** Signing keys per secret, day, region and service: four HMACs saved on every request of the day. */
const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}\u0000${day}\u0000${region}\u0000${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (signingKeys.size >= 1000) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** The headers to add to the request: authorization, x-amz-date, x-amz-content-sha256 and the session token. */
export function signSigV4(request: SigV4Request, credentials: SigV4Credentials): Record<string, string> {
  const service = request.service ?? 's3';
  const amzDate = amzDateOf(request.now);
  const day = amzDate.slice(0, 8);
  const added: Record<string, string> = { 'x-amz-date': amzDate, 'x-amz-content-sha256': request.payloadHash };
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken;
  const headers = new Map<string, string>([['host', request.host]]);
  for (const [name, values] of Object.entries(request.headers)) {
    if (SIGNED(name) && !(name in added)) headers.set(name, values.map((v) => v.trim().replace(/\s+/g, ' ')).join(','));
  }
  for (const [name, value] of Object.entries(added)) headers.set(name, value);
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n)}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalQuery = request.query
    .map(([k, v]) => [awsUriEncode(k), awsUriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [request.method, request.rawPath, canonicalQuery, canonicalHeaders, signedHeaders, request.payloadHash].join('\n');
  const scope = `${day}/${request.region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, request.region, service))
    .update(stringToSign)
    .digest('hex');
  return { ...added, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
}
