import { gunzipSync } from 'node:zlib';

/**
 * An OPA bundle (a gzipped tar: /.manifest, /policy.wasm, /data.json, sources) read into memory. Only what the wasm
 * evaluation needs is kept. A malformed archive throws BundleError with what is wrong.
 */
export class BundleError extends Error {}

export interface OpaBundle {
  readonly wasm: Uint8Array;
  readonly data: Record<string, unknown>;
  /** Entrypoints the manifest declares for the wasm module, e.g. lakeplane/control/allow. */
  readonly entrypoints: readonly string[];
  readonly revision: string;
}

const MAX_UNPACKED = 64 * 1024 * 1024;

function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new BundleError('bundle: a tar header has no valid size');
    const type = field(156, 1);
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = archive.subarray(offset + 512, offset + 512 + size);
    if (body.length !== size) throw new BundleError(`bundle: ${name} is cut short`);
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') {
      name = '/' + name.replace(/^\.?\/+/, '');
      files.set(name, body);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

export function readOpaBundle(archive: Buffer): OpaBundle {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: MAX_UNPACKED });
  } catch (err) {
    throw new BundleError(`bundle: not a gzipped tar archive (${(err as Error).message})`);
  }
  const files = readTar(tar);
  const wasm = files.get('/policy.wasm');
  if (!wasm) throw new BundleError('bundle: no /policy.wasm in it: build it with `opa build -t wasm -e <entrypoint> …`');
  let manifest: { revision?: string; wasm?: Array<{ entrypoint?: string; module?: string }> } = {};
  const manifestFile = files.get('/.manifest');
  if (manifestFile) {
    try {
      manifest = JSON.parse(manifestFile.toString('utf8')) as typeof manifest;
    } catch {
      throw new BundleError('bundle: /.manifest is not JSON');
    }
  }
  let data: Record<string, unknown> = {};
  const dataFile = files.get('/data.json');
  if (dataFile) {
    try {
      const parsed: unknown = JSON.parse(dataFile.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      data = parsed as Record<string, unknown>;
    } catch (err) {
      throw new BundleError(`bundle: /data.json is not a JSON object (${(err as Error).message})`);
    }
  }
  return { wasm, data, entrypoints: (manifest.wasm ?? []).map((w) => w.entrypoint ?? '').filter(Boolean), revision: manifest.revision ?? '' };
}
