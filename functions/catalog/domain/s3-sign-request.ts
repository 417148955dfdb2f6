/**
 * What the S3 signer may sign: the rules that keep a signature inside one table's files and inside the caller's
 * access. Pure: the caller gives the table's prefixes, the decided access and where the warehouse's S3 is; this
 * parses the request the client wants signed and says why not, or what to sign.
 *
 * The request is read as the S3 server will read it: the raw path, percent-decoded segment by segment, with no
 * normalization (S3 keys are flat; a `..` that a proxy or a file-backed server resolves would leave the table), so a
 * `.` or `..` segment, encoded or not, is refused outright rather than resolved.
 */
import type { S3Prefix, StorageAccessLevel } from './session-policy.js';

export class SignRefusal extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
  }
}

export interface S3RequestTarget {
  /** scheme://authority as sent (the Host the signature names). */
  origin: string;
  host: string;
  bucket: string;
  /** The object key, decoded; undefined for a request on the bucket itself (a listing, DeleteObjects). */
  key: string | undefined;
  /** The path exactly as the client will send it. */
  rawPath: string;
  /** Query parameters, decoded, in the order sent. */
  query: Array<[string, string]>;
}

/** Where the warehouse's S3 answers: its endpoint's host[:port], or AWS S3 when it has none. */
export interface S3Endpoint {
  /** host[:port] of the configured endpoint, lowercased; undefined: AWS S3. */
  host: string | undefined;
}

export function s3EndpointOf(endpoint: string | undefined): S3Endpoint {
  if (!endpoint) return { host: undefined };
  return { host: new URL(endpoint).host.toLowerCase() };
}

const AWS_S3_HOST = /^(?:(.+)\.)?(s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?)$/;

function decodeSegment(segment: string, what: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new SignRefusal(400, `${what} has a malformed percent-encoding: ${segment}`);
  }
  // Control characters (NUL above all) mean something else to every layer below.
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) throw new SignRefusal(400, `${what} holds a control character or a backslash`);
  return decoded;
}

/** A key, decoded, refused when any of its segments (after decoding, so %2F and %2E count) is `.` or `..`. */
export function checkKey(key: string, what: string): string {
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..')
      throw new SignRefusal(400, `${what} has a '${segment}' path segment: paths are never resolved, so they are never signed`);
  }
  return key;
}

/** The bucket and key an S3 request addresses, as the warehouse's S3 server will see them. */
export function parseS3RequestUri(uri: string, endpoint: S3Endpoint): S3RequestTarget {
  const m = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(uri);
  if (!m) throw new SignRefusal(400, `uri is not an http(s) URL of an S3 request: ${uri}`);
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  if (host.includes('@')) throw new SignRefusal(400, 'uri must not carry user information');
  const rawPath = m[3] ?? '/';
  const segments = rawPath
    .split('/')
    .slice(1)
    .map((s) => decodeSegment(s, 'uri path'));
  let bucket: string;
  let keySegments: string[];
  const virtual = (suffix: string) => (host.endsWith(`.${suffix}`) ? host.slice(0, -suffix.length - 1) : undefined);
  if (endpoint.host !== undefined) {
    if (host === endpoint.host) {
      bucket = segments[0] ?? '';
      keySegments = segments.slice(1);
    } else {
      const b = virtual(endpoint.host);
      if (b === undefined) throw new SignRefusal(403, `uri host ${host} is not the warehouse's S3 endpoint (${endpoint.host})`);
      bucket = b;
      keySegments = segments;
    }
  } else {
    const aws = AWS_S3_HOST.exec(host);
    if (!aws) throw new SignRefusal(403, `uri host ${host} is not an AWS S3 endpoint, and the warehouse names no other`);
    if (aws[1] !== undefined) {
      bucket = aws[1];
      keySegments = segments;
    } else {
      bucket = segments[0] ?? '';
      keySegments = segments.slice(1);
    }
  }
  if (bucket === '') throw new SignRefusal(403, 'uri names no bucket: requests on the service itself are never signed');
  const keyText = keySegments.join('/');
  const key = keyText === '' ? undefined : checkKey(keyText, 'uri path');
  checkKey(segments.join('/'), 'uri path');
  const query: Array<[string, string]> = [];
  for (const part of (m[4] ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    query.push([decodeSegment(name, 'uri query'), decodeSegment(value, 'uri query')]);
  }
  return { origin: `${scheme}://${m[2]!}`, host, bucket, key, rawPath, query };
}

/** Query parameters of object requests that read or write the object's content (not its ACL, tags, policy...). */
const OBJECT_PARAMS = new Set(['versionId', 'partNumber', 'uploadId', 'uploads', 'x-id']);
/** Query parameters of a bucket listing. */
const LIST_PARAMS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'marker',
  'x-id',
]);

const inside = (key: string, p: S3Prefix) => p.key === '' || key.startsWith(`${p.key}/`);

function methodAccess(method: string): StorageAccessLevel {
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'PUT' || method === 'POST' || method === 'DELETE') return 'write';
  throw new SignRefusal(403, `${method} requests are never signed`);
}

/** The keys a DeleteObjects body names, XML entities decoded. */
export function deleteObjectsKeys(body: string): string[] {
  const entity = (e: string): string => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    const n = named[e];
    if (n === undefined) throw new SignRefusal(400, `DeleteObjects body has an unknown XML entity &${e};`);
    return n;
  };
  const keys: string[] = [];
  for (const m of body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]!.replace(/&([^;]{1,10});/g, (_, e: string) => entity(e)));
  return keys;
}

export interface SignCheck {
  target: S3RequestTarget;
  method: string;
  /** Header names lowercased. */
  headers: Readonly<Record<string, readonly string[]>>;
  body: string | undefined;
  /** The table's prefixes: the only places a signature may reach. */
  prefixes: readonly S3Prefix[];
  /** What the caller may do with the table's files, decided for this request. */
  access: StorageAccessLevel;
}

/**
 * Throws a SignRefusal unless the request stays inside the table's prefixes and its method fits the access: a
 * reader's GET/HEAD of an object or a listing under the table; a writer's PUT/POST/DELETE of an object under it
 * (a copy's source too), or a DeleteObjects whose every key is under it. Returns the access the request needs.
 */
export function checkSignRequest(c: SignCheck): StorageAccessLevel {
  const { target, method } = c;
  const needs = methodAccess(method);
  if (needs === 'write' && c.access !== 'write') throw new SignRefusal(403, `the caller may only read this table's files: ${method} is a write`);
  const ofBucket = c.prefixes.filter((p) => p.bucket === target.bucket);
  if (ofBucket.length === 0) throw new SignRefusal(403, `bucket ${target.bucket} holds none of this table's files`);
  const where = (key: string, what: string) => {
    if (!ofBucket.some((p) => inside(key, p))) throw new SignRefusal(403, `${what} ${target.bucket}/${key} is outside the table's location`);
  };
  if (target.key !== undefined) {
    for (const [name] of target.query) {
      if (!OBJECT_PARAMS.has(name) && !name.startsWith('response-')) throw new SignRefusal(403, `object subresource ?${name} is never signed`);
    }
    where(target.key, 'key');
    const copy = c.headers['x-amz-copy-source'];
    if (copy !== undefined) {
      if (method !== 'PUT') throw new SignRefusal(403, 'x-amz-copy-source is only signed on a PUT');
      const source = decodeSegment(copy.join(',').split('?')[0]!.replace(/^\//, ''), 'x-amz-copy-source');
      const slash = source.indexOf('/');
      if (slash <= 0 || source.slice(0, slash) !== target.bucket) throw new SignRefusal(403, `copy source ${source} is outside the table's location`);
      where(checkKey(source.slice(slash + 1), 'x-amz-copy-source'), 'copy source');
    }
    return needs;
  }
  // The bucket itself: a listing under the table, its existence, or a DeleteObjects of the table's keys.
  const names = target.query.map(([n]) => n);
  if (method === 'HEAD' && names.length === 0) return needs;
  if (method === 'GET' && names.every((n) => LIST_PARAMS.has(n))) {
    const prefix = target.query.find(([n]) => n === 'prefix')?.[1];
    if (prefix === undefined || !ofBucket.some((p) => prefix === `${p.key}/` || inside(prefix, p))) {
      throw new SignRefusal(403, `a listing is only signed with a prefix inside the table's location (prefix=${prefix ?? 'none'})`);
    }
    checkKey(prefix, 'listing prefix');
    return needs;
  }
  if (method === 'POST' && names.length === 1 && names[0] === 'delete') {
    if (c.body === undefined) throw new SignRefusal(403, 'a DeleteObjects request is only signed with its body, so that every key it deletes can be checked');
    const keys = deleteObjectsKeys(c.body);
    if (keys.length === 0) throw new SignRefusal(400, 'DeleteObjects body names no key');
    for (const key of keys) where(checkKey(key, 'DeleteObjects key'), 'key');
    return needs;
  }
  throw new SignRefusal(403, `${method} on bucket ${target.bucket}${names.length > 0 ? ` with ?${names.join('&')}` : ''} is never signed`);
}
