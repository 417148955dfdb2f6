import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcebergClient, SAMPLE_SCHEMA, appendSnapshot } from '../support/iceberg-client.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Concurrent writers over HTTP against real PostgreSQL (a pool of connections, so commits truly race): each commit
 * either lands or is refused with 409, the table ends with exactly the snapshots that landed, in the order they
 * landed, and a multi-table transaction is all-or-nothing against a racing single-table commit.
 */
const WRITERS = 8;
const COMMITS_PER_WRITER = 25;

const hasPostgres = !!process.env['DATABASE_URL'];
if (!hasPostgres) missingPrerequisite('the concurrent-commit suite', 'DATABASE_URL is not set: commits only race on a real PostgreSQL server');

describe.skipIf(!hasPostgres)('concurrent commits on PostgreSQL', () => {
  let p: TestPlatform;
  let ice: IcebergClient;
  let root: string;

  beforeAll(async () => {
    p = await startPlatform('postgres', { env: { DATABASE_POOL_MAX: '16' } });
    const admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-race-'));
    await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'race', storageLocation: pathToFileURL(root).href } });
    ice = new IcebergClient(p, admin, 'race');
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['r'] });
  });
  afterAll(async () => {
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it(`${WRITERS} writers x ${COMMITS_PER_WRITER} commits on one table: each lands or gets 409; none lost, none merged`, async () => {
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: 'hot', schema: SAMPLE_SCHEMA });
    const location: string = created.body.metadata.location;
    const landed: Array<{ id: bigint; parent: bigint | null; metadataLocation: string }> = [];
    const statuses = new Map<number, number>();

    async function writer(w: number): Promise<void> {
      for (let i = 0; i < COMMITS_PER_WRITER; i++) {
        const current = await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/hot');
        const m = current.body.metadata;
        const parent: bigint | null = m['current-snapshot-id'] === -1 ? null : BigInt(m['current-snapshot-id']);
        const id = (BigInt(w + 1) << 40n) + BigInt(i) + 1n;
        const seq = Number(m['last-sequence-number']) + 1;
        const r = await ice.call('POST', '/v1/{prefix}/namespaces/r/tables/hot', {
          requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
          updates: [
            { action: 'add-snapshot', snapshot: appendSnapshot(id, parent, seq, location) },
            { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
          ],
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) landed.push({ id, parent, metadataLocation: r.body['metadata-location'] });
        else expect(r.body.error.type, r.text).toBe('CommitFailedException');
      }
    }
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    // Writers really raced: some commits landed and some were refused.
    expect([...statuses.keys()].sort()).toEqual([200, 409]);
    expect([...statuses.keys()].every((s) => s === 200 || s === 409), JSON.stringify([...statuses])).toBe(true);
    expect((statuses.get(200) ?? 0) + (statuses.get(409) ?? 0)).toBe(WRITERS * COMMITS_PER_WRITER);

    const final = (await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/hot')).body.metadata;
    const snapshots: bigint[] = final.snapshots.map((s: { 'snapshot-id': number | bigint }) => BigInt(s['snapshot-id']));
    // Every landed commit is there, nothing else is, and they form one chain in the order they landed.
    expect(snapshots.length).toBe(landed.length);
    const byParent = new Map(landed.map((l) => [String(l.parent), l]));
    const chain: bigint[] = [];
    let cursor: bigint | null = null;
    for (let next = byParent.get(String(cursor)); next; next = byParent.get(String(cursor))) {
      chain.push(next.id);
      cursor = next.id;
    }
    expect(chain).toEqual(snapshots);
    expect(BigInt(final['current-snapshot-id'])).toBe(chain[chain.length - 1]);
    expect(final['snapshot-log'].map((e: { 'snapshot-id': number | bigint }) => BigInt(e['snapshot-id']))).toEqual(chain);
    expect(Number(final['last-sequence-number'])).toBe(landed.length);
  }, 300_000);

  it('a multi-table transaction racing a single-table commit: one wins, the loser changes nothing', async () => {
    for (const t of ['a', 'b']) await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: t, schema: SAMPLE_SCHEMA });
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all(['a', 'b'].map((t) => ice.call('GET', `/v1/{prefix}/namespaces/r/tables/${t}`)));
      const baseA = a!.body.metadata['current-schema-id'];
      const before = { a: a!.body['metadata-location'] as string, b: b!.body['metadata-location'] as string };
      const requirement = { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': a!.body.metadata['last-column-id'] };
      const evolve = (metadata: any, name: string) => ({ action: 'add-schema', schema: { ...metadata.schemas[metadata.schemas.length - 1], fields: [...metadata.schemas[metadata.schemas.length - 1].fields, { id: metadata['last-column-id'] + 1, name, required: false, type: 'string' }] } });
      const [tx, single] = await Promise.all([
        ice.call('POST', '/v1/{prefix}/transactions/commit', {
          'table-changes': [
            { identifier: { namespace: ['r'], name: 'a' }, requirements: [requirement, { type: 'assert-current-schema-id', 'current-schema-id': baseA }], updates: [evolve(a!.body.metadata, `tx_${round}`), { action: 'set-current-schema', 'schema-id': -1 }] },
            { identifier: { namespace: ['r'], name: 'b' }, requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': b!.body.metadata['current-schema-id'] }], updates: [{ action: 'set-properties', updates: { round: String(round) } }] },
          ],
        }),
        ice.call('POST', '/v1/{prefix}/namespaces/r/tables/a', {
          requirements: [requirement, { type: 'assert-current-schema-id', 'current-schema-id': baseA }],
          updates: [evolve(a!.body.metadata, `single_${round}`), { action: 'set-current-schema', 'schema-id': -1 }],
        }),
      ]);
      expect([204, 409], tx.text).toContain(tx.status);
      expect([200, 409], single.text).toContain(single.status);
      const winners = [tx.status === 204, single.status === 200].filter(Boolean).length;
      expect(winners, `round ${round}: ${tx.status} ${single.status}`).toBe(1);
      const after = await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/b');
      if (tx.status === 204) {
        expect(after.body.metadata.properties.round).toBe(String(round));
      } else {
        expect(tx.status).toBe(409);
        expect(after.body['metadata-location']).toBe(before.b);
      }
      const columns = (await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/a')).body.metadata.schemas.at(-1).fields.map((f: { name: string }) => f.name);
      expect(columns).toContain(tx.status === 204 ? `tx_${round}` : `single_${round}`);
      expect(columns).not.toContain(tx.status === 204 ? `single_${round}` : `tx_${round}`);
    }
  }, 120_000);
});
