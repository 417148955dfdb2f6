/**
 * The one check between a location a client (or a metadata file) names and the object store. A location is a URI
 * that different readers take differently: Node's URL parser and Hadoop decode %2e%2e into '..' and fold it away, S3
 * keeps it literally, Iceberg's S3URI cuts at '?' and '#', Windows-minded code splits at '\'. So a location is only
 * accepted when every reader agrees where it is: no '.' or '..' segment, raw or percent-decoded, no encoded '/' or
 * '\', no NUL or other control character, no '?' or '#', and its percent-encoding well formed. Then it must lie in
 * the root segment by segment (/wh/demo-evil is not in /wh/demo), as written and as decoded.
 *
 * A StoragePath can only be made by StorageRoot.resolve(), and the object stores take nothing else: a location that
 * was not checked after normalization cannot reach them.
 */

export type StorageScheme = 'file' | 's3';

/** The location is malformed or ambiguous: a client mistake (400), whatever root it is meant for. */
export class UnsafeLocationError extends Error {
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(location)} ${reason}`);
  }
}

/** A well formed location that is not inside the root it was resolved against. */
export class LocationOutsideError extends Error {
  constructor(
    readonly location: string,
    readonly root: string,
  ) {
    super(`${location} is outside ${root}`);
  }
}

interface ParsedLocation {
  scheme: StorageScheme | undefined;
  /** The bucket of an s3:// location; '' for a file one. */
  bucket: string;
  /** The path after the authority as written, without its trailing slashes. */
  rawPath: string;
  /** Its non-empty segments, percent-decoded. */
  segments: string[];
}

const CONTROL = /[\u0000-\u001F\u007F]/;

function decodeSegment(location: string, raw: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) throw new UnsafeLocationError(location, 'has a "%" that starts no percent-encoded byte');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new UnsafeLocationError(location, 'percent-encodes bytes that are not UTF-8');
  }
  if (decoded.includes('/')) throw new UnsafeLocationError(location, 'has an encoded "/" (%2F) inside a segment');
  if (decoded.includes('\\')) throw new UnsafeLocationError(location, 'has an encoded "\\" (%5C) inside a segment');
  if (CONTROL.test(decoded)) throw new UnsafeLocationError(location, 'has an encoded NUL or control character');
  if (decoded === '.' || decoded === '..') throw new UnsafeLocationError(location, `has an encoded "${decoded}" segment`);
  return decoded;
}

function parseLocation(location: string): ParsedLocation {
  if (location.includes('\u0000')) throw new UnsafeLocationError(location, 'contains a NUL character');
  if (CONTROL.test(location)) throw new UnsafeLocationError(location, 'contains a control character');
  if (location.includes('\\')) throw new UnsafeLocationError(location, 'contains a backslash');
  if (/[?#]/.test(location)) throw new UnsafeLocationError(location, 'contains "?" or "#", which some readers take as the end of the path');
  let scheme: StorageScheme | undefined;
  let bucket = '';
  let path: string;
  const file = /^file:(.*)$/is.exec(location);
  const s3 = /^s3a?:\/\/([^/]*)(.*)$/is.exec(location);
  if (file) {
    scheme = 'file';
    path = file[1]!;
    if (path.startsWith('//')) {
      // file://host/path: only this machine is a host a local store can reach.
      const end = path.indexOf('/', 2);
      const host = path.slice(2, end < 0 ? path.length : end);
      if (host !== '' && host.toLowerCase() !== 'localhost')
        throw new UnsafeLocationError(location, `names the host ${JSON.stringify(host)}; a file location is on this machine`);
      path = end < 0 ? '' : path.slice(end);
    }
    if (!path.startsWith('/')) throw new UnsafeLocationError(location, 'is not an absolute file location');
  } else if (s3) {
    scheme = 's3';
    bucket = s3[1]!;
    path = s3[2]!;
    if (bucket === '') throw new UnsafeLocationError(location, 'names no bucket');
  } else {
    path = location.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, '');
  }
  const rawPath = path.replace(/\/+$/, '');
  const rawSegments = rawPath.split('/').filter((s) => s !== '');
  for (const raw of rawSegments) if (raw === '.' || raw === '..') throw new UnsafeLocationError(location, `has a "${raw}" segment`);
  const segments = rawSegments.map((raw) => decodeSegment(location, raw));
  return { scheme, bucket, rawPath, segments };
}

/** An S3 key as Iceberg's S3URI takes it: everything after "bucket/", literally. */
const keyOf = (p: ParsedLocation) => p.rawPath.replace(/^\//, '');
const isKeyUnder = (key: string, rootKey: string) => rootKey === '' || key === rootKey || key.startsWith(`${rootKey}/`);

const startsWith = (whole: readonly string[], prefix: readonly string[]) => prefix.length <= whole.length && prefix.every((s, i) => whole[i] === s);

/** Only this module mints StoragePaths. */
const MINT: unique symbol = Symbol('StoragePath');

/** A location that StorageRoot.resolve() checked: what the stores act on, and nothing else. */
export class StoragePath {
  /** @internal */
  constructor(
    token: typeof MINT,
    /** The location as it was given: what metadata names and messages show. */
    readonly location: string,
    readonly scheme: StorageScheme,
    /** s3: the bucket; file: ''. */
    readonly bucket: string,
    /**
     * s3: the key as written (S3 and Iceberg's S3FileIO take it literally), without trailing slashes.
     * file: the absolute filesystem path, decoded as a file URL is, '//' folded.
     */
    readonly key: string,
    private readonly segments: readonly string[],
  ) {
    if (token !== MINT) throw new Error('a StoragePath is made only by StorageRoot.resolve()');
  }

  /** Whether `other` is this location or lies under it (segment by segment, decoded). */
  contains(other: StoragePath): boolean {
    return other.scheme === this.scheme && other.bucket === this.bucket && startsWith(other.segments, this.segments);
  }

  toString(): string {
    return this.location;
  }
}

/**
 * A warehouse's storage location, against which every location of the warehouse is resolved. Parsing it refuses
 * the same ambiguities a location is refused for.
 */
export class StorageRoot {
  private readonly parsed: ParsedLocation & { scheme: StorageScheme };

  constructor(readonly location: string) {
    const parsed = parseLocation(location);
    if (!parsed.scheme) throw new UnsafeLocationError(location, 'is neither a file: nor an s3:// location');
    this.parsed = { ...parsed, scheme: parsed.scheme };
  }

  get scheme(): StorageScheme {
    return this.parsed.scheme;
  }

  /**
   * The checked path of a location inside this root (the root itself included). UnsafeLocationError when it is
   * malformed or ambiguous, LocationOutsideError when it is elsewhere: another scheme or bucket, or a path that does
   * not start with the root's segments both as written and as decoded.
   */
  resolve(location: string): StoragePath {
    const p = parseLocation(location);
    const root = this.parsed;
    if (p.scheme !== root.scheme || p.bucket !== root.bucket) throw new LocationOutsideError(location, this.location);
    if (!startsWith(p.segments, root.segments)) throw new LocationOutsideError(location, this.location);
    const key = p.scheme === 's3' ? keyOf(p) : `/${p.segments.join('/')}`;
    // S3 acts on the key as written: it must be under the root's key as written, too.
    if (p.scheme === 's3' && !isKeyUnder(key, keyOf(root))) throw new LocationOutsideError(location, this.location);
    return new StoragePath(MINT, location, p.scheme, p.bucket, key, p.segments);
  }

  /** Whether a location resolves inside this root. */
  holds(location: string): boolean {
    try {
      this.resolve(location);
      return true;
    } catch {
      return false;
    }
  }
}
