import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface Answer {
  status: number;
  text: string;
}

/** Keep-alive HTTP to one server on 127.0.0.1, for setting up (not for measuring: the load generators do that). */
export class LoopbackClient {
  private readonly agent: http.Agent;
  constructor(
    readonly port: number,
    maxSockets: number,
    private readonly headers: () => Record<string, string> = () => ({}),
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', ...this.headers() };
      if (body !== undefined) {
        headers['content-type'] = contentType;
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = http.request({ host: '127.0.0.1', port: this.port, path, method, headers, agent: this.agent, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The call, which must answer `expected`; its JSON body. */
  async expect(expected: number, method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (r.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${r.status} ${r.text.slice(0, 20000)}`);
    return r.text ? JSON.parse(r.text) : undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A schema as an engine would create it: 15 columns, one nested struct; ids as the client numbered them. */
export const BENCH_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'event_id', required: true, type: 'long' },
    { id: 2, name: 'event_ts', required: true, type: 'timestamptz' },
    { id: 3, name: 'event_date', required: false, type: 'date' },
    { id: 4, name: 'user_id', required: false, type: 'long' },
    { id: 5, name: 'session_id', required: false, type: 'string' },
    { id: 6, name: 'event_type', required: false, type: 'string' },
    { id: 7, name: 'country', required: false, type: 'string' },
    { id: 8, name: 'amount', required: false, type: 'decimal(18, 2)' },
    { id: 9, name: 'quantity', required: false, type: 'int' },
    { id: 10, name: 'is_test', required: false, type: 'boolean' },
    { id: 11, name: 'score', required: false, type: 'double' },
    { id: 12, name: 'payload', required: false, type: 'string' },
    {
      id: 13,
      name: 'device',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 14, name: 'os', required: false, type: 'string' },
          { id: 15, name: 'model', required: false, type: 'string' },
        ],
      },
    },
  ],
};

export function createTableBody(name: string): unknown {
  return {
    name,
    schema: BENCH_SCHEMA,
    'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'event_ts_day', transform: 'day' }] },
    'write-order': { 'order-id': 0, fields: [] },
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd', owner: 'bench' },
  };
}

let snapshotCounter = 0;
/** Setup snapshot ids: below 2^53 (JSON.parse reads them exactly) and unlike the writers' random ones. */
function setupSnapshotId(): number {
  snapshotCounter += 1;
  return 2 ** 52 + snapshotCounter;
}

/**
 * One append, as an engine commits it: add-snapshot with a realistic summary, then main to it, provided main is
 * still where the writer loaded it (the same body bench/catalog-writers.mjs sends).
 */
export function appendCommitBody(metadata: any): unknown {
  const current = metadata['current-snapshot-id'];
  const parent: number | null = current === -1 || current == null ? null : current;
  const previous = parent === null ? undefined : (metadata.snapshots as any[]).find((s) => s['snapshot-id'] === parent);
  const totalRecords = Number(previous?.summary?.['total-records'] ?? 0) + 1000;
  const totalFiles = Number(previous?.summary?.['total-data-files'] ?? 0) + 2;
  const id = setupSnapshotId();
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': id,
          ...(parent !== null ? { 'parent-snapshot-id': parent } : {}),
          'sequence-number': Number(metadata['last-sequence-number']) + 1,
          'timestamp-ms': Date.now(),
          'manifest-list': `${metadata.location}/metadata/snap-${id}-1-${randomUUID()}.avro`,
          summary: {
            operation: 'append',
            'added-data-files': '2',
            'added-records': '1000',
            'added-files-size': '81234',
            'changed-partition-count': '1',
            'total-records': String(totalRecords),
            'total-files-size': String(totalFiles * 40617),
            'total-data-files': String(totalFiles),
            'total-delete-files': '0',
            'total-position-deletes': '0',
            'total-equality-deletes': '0',
          },
          'schema-id': metadata['current-schema-id'],
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
  };
}

export interface TableSet {
  /** REST paths of the tables (below the server's catalog root). */
  paths: string[];
  seconds: number;
  requests: number;
}

/**
 * Creates `namespaces` namespaces of `perNamespace` tables each over HTTP, `concurrency` tables at a time; every
 * table gets `snapshotsOf(i)` appended snapshots after its create. `root` is the catalog's path up to /namespaces
 * (/iceberg/v1/bench or /v1).
 */
export async function createTables(
  client: LoopbackClient,
  root: string,
  namespaces: string[],
  perNamespace: number,
  concurrency: number,
  snapshotsOf: (i: number) => number,
): Promise<TableSet> {
  const t0 = performance.now();
  let requests = 0;
  for (const ns of namespaces) {
    await client.expect(200, 'POST', `${root}/namespaces`, { namespace: [ns] });
    requests++;
  }
  const tasks = namespaces.flatMap((ns) => Array.from({ length: perNamespace }, (_, j) => ({ ns, name: `t_${String(j).padStart(4, '0')}` })));
  const paths: string[] = new Array(tasks.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < tasks.length) {
      const i = next++;
      const { ns, name } = tasks[i]!;
      const path = `${root}/namespaces/${encodeURIComponent(ns)}/tables/${encodeURIComponent(name)}`;
      let metadata = (await client.expect(200, 'POST', `${root}/namespaces/${encodeURIComponent(ns)}/tables`, createTableBody(name))).metadata;
      requests++;
      for (let s = 0; s < snapshotsOf(i); s++) {
        metadata = (await client.expect(200, 'POST', path, appendCommitBody(metadata))).metadata;
        requests++;
      }
      paths[i] = path;
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
  return { paths, seconds: (performance.now() - t0) / 1000, requests };
}
