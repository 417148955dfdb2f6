import { parseJsonLossless } from '../../shared/json/index.js';
import { expectSpecResponse, loadIcebergSpec, type IcebergSpec } from './iceberg-spec.js';
import type { TestPlatform } from './platform.js';

export interface IcebergAnswer {
  status: number;
  headers: Headers;
  /** Parsed losslessly: 64-bit ids are bigint past 2^53, exactly as sent. */
  body: any;
  text: string;
}

/**
 * Calls the catalog over real HTTP the way an Iceberg client does and checks every answer, success or error,
 * against the operation and status the REST spec declares (when ../shared/ref is present).
 */
export class IcebergClient {
  readonly spec: IcebergSpec | undefined = loadIcebergSpec();
  constructor(
    private readonly p: TestPlatform,
    public token: string,
    readonly prefix: string,
  ) {}

  /** `path` below /iceberg, with {prefix} standing for this client's warehouse. */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<IcebergAnswer> {
    const resolved = path.replace('{prefix}', encodeURIComponent(this.prefix));
    const h: Record<string, string> = { authorization: `Bearer ${this.token}`, ...headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload =
        typeof body === 'string'
          ? body
          : JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? `__big__${v}` : v)).replace(/"__big__(-?\d+)"/g, '$1');
      h['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.p.url}/iceberg${resolved}`, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    expectSpecResponse(this.spec, method, resolved, response.status, text === '' ? undefined : text, response.headers);
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = parseJsonLossless(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed as any, text };
  }
}

/** A namespace as it goes in a path: levels joined by the unit separator, url-encoded. */
export function ns(...levels: string[]): string {
  return levels.map(encodeURIComponent).join('%1F');
}

/** A schema as a client sends it (ids as the client numbered them; the server renumbers from 1). */
export const SAMPLE_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 3, name: 'id', required: true, type: 'long' },
    { id: 4, name: 'data', required: false, type: 'string' },
    { id: 5, name: 'ts', required: false, type: 'timestamptz' },
  ],
};

let snapshotCounter = 0n;
/** A snapshot id past 2^53, as real Iceberg writers produce, so rounding anywhere would show. */
export function bigSnapshotId(): bigint {
  snapshotCounter += 1n;
  return 9_007_199_254_740_993n * 100n + snapshotCounter;
}

export function appendSnapshot(id: bigint, parent: bigint | null, sequence: number, location: string) {
  return {
    'snapshot-id': id,
    ...(parent !== null ? { 'parent-snapshot-id': parent } : {}),
    'sequence-number': sequence,
    'timestamp-ms': Date.now(),
    'manifest-list': `${location}/metadata/snap-${id}.avro`,
    summary: { operation: 'append', 'added-data-files': '1' },
    'schema-id': 0,
  };
}
