import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcebergClient, SAMPLE_SCHEMA, appendSnapshot } from '../support/iceberg-client.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Concurrent writers over HTTP against real PostgreSQL, through two replicas of the catalog on one database (as two
 * pods), so commits truly race for a table's pointer: each commit either lands or is refused with 409, the table ends
 * with exactly the snapshots that landed, in the order they landed, commits whose requirements still hold all land
 * (the server rebuilds them on what landed meanwhile), a multi-table transaction is all-or-nothing against a racing
 * single-table commit, and no commit that lost leaves its metadata file behind.
 */
const WRITERS = 8;
const COMMITS_PER_WRITER = 25;

const hasPostgres = !!process.env['DATABASE_URL'];
if (!hasPostgres) missingPrerequisite('the concurrent-commit suite', 'DATABASE_URL is not set: commits only race on a real PostgreSQL server');

describe.skipIf(!hasPostgres)('concurrent commits on PostgreSQL', () => {
  let p: TestPlatform;
  let q: TestPlatform;
  let ice: IcebergClient;
  /** Writer w's client: even writers go through one replica, odd ones through the other. */
  let replicas: IcebergClient[];
  let root: string;

  beforeAll(async () => {
    p = await startPlatform('postgres', { env: { DATABASE_POOL_MAX: '16' } });
    q = await startPlatform('postgres', { env: { DATABASE_POOL_MAX: '16' }, sharedDatabaseOf: p });
    const admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-race-'));
    await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'race', storageLocation: pathToFileURL(root).href } });
    ice = new IcebergClient(p, admin, 'race');
    replicas = [ice, new IcebergClient(q, admin, 'race')];
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['r'] });
  });
  afterAll(async () => {
    await q?.close();
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Commit attempts that lost the pointer's compare-and-set, over both replicas (GET /metrics). */
  async function lostRaces(): Promise<number> {
    let n = 0;
    for (const r of [p, q]) {
      const text = String((await r.call('GET', '/metrics')).body);
      n += Number(/^lakeplane_catalog_commit_lost_races_total (\d+)/m.exec(text)?.[1] ?? 0);
    }
    return n;
  }

  /** The table's metadata files on disk are exactly the current one and those its metadata log names: no orphans. */
  async function expectNoOrphanFiles(table: string): Promise<void> {
    const current = await ice.call('GET', `/v1/{prefix}/namespaces/r/tables/${table}`);
    const dir = new URL(`${current.body.metadata.location}/metadata/`);
    const named = [current.body['metadata-location'], ...current.body.metadata['metadata-log'].map((e: { 'metadata-file': string }) => e['metadata-file'])];
    const files = readdirSync(dir);
    expect(
      files.filter((f) => f.endsWith('.tmp')),
      'temporary files',
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith('.metadata.json')).sort()).toEqual(named.map((f: string) => f.slice(f.lastIndexOf('/') + 1)).sort());
  }

  it(`${WRITERS} writers x ${COMMITS_PER_WRITER} commits on one table through two replicas: each lands or gets 409; none lost, none merged`, async () => {
    // The metadata log names every file the table has had (it keeps 100 by default), so the check for orphan files
    // at the end can tell every landed commit's file from a loser's.
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', {
      name: 'hot',
      schema: SAMPLE_SCHEMA,
      properties: { 'write.metadata.previous-versions-max': '1000' },
    });
    const location: string = created.body.metadata.location;
    const landed: Array<{ id: bigint; parent: bigint | null; metadataLocation: string }> = [];
    const statuses = new Map<number, number>();

    async function writer(w: number): Promise<void> {
      for (let i = 0; i < COMMITS_PER_WRITER; i++) {
        const client = replicas[w % 2]!;
        const current = await client.call('GET', '/v1/{prefix}/namespaces/r/tables/hot');
        const m = current.body.metadata;
        const parent: bigint | null = m['current-snapshot-id'] === -1 ? null : BigInt(m['current-snapshot-id']);
        const id = (BigInt(w + 1) << 40n) + BigInt(i) + 1n;
        const seq = Number(m['last-sequence-number']) + 1;
        const r = await client.call('POST', '/v1/{prefix}/namespaces/r/tables/hot', {
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
    expect(
      [...statuses.keys()].every((s) => s === 200 || s === 409),
      JSON.stringify([...statuses]),
    ).toBe(true);
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
    // The files of the commits that lost a race are gone; only the landed ones' are left.
    expect(final['metadata-log']).toHaveLength(landed.length);
    await expectNoOrphanFiles('hot');
  }, 300_000);

  it('commits whose requirements still hold all land, through two replicas at once: none lost, no orphan file', async () => {
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: 'props', schema: SAMPLE_SCHEMA });
    const uuid: string = created.body.metadata['table-uuid'];
    const perWriter = 6;
    const racesBefore = await lostRaces();
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const statuses: number[] = [];
        for (let i = 0; i < perWriter; i++) {
          // What an engine's property change sends: the table's identity as the requirement, nothing about its state.
          const r = await replicas[w % 2]!.call('POST', '/v1/{prefix}/namespaces/r/tables/props', {
            requirements: [{ type: 'assert-table-uuid', uuid }],
            updates: [{ action: 'set-properties', updates: { [`w${w}.${i}`]: String(i) } }],
          });
          statuses.push(r.status);
        }
        return statuses;
      }),
    );
    expect(
      answers.flat().filter((s) => s !== 200),
      JSON.stringify(answers),
    ).toEqual([]);
    const final = (await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/props')).body;
    for (let w = 0; w < WRITERS; w++) for (let i = 0; i < perWriter; i++) expect(final.metadata.properties[`w${w}.${i}`], `w${w}.${i}`).toBe(String(i));
    // One metadata file per landed commit, each the successor of the one before: no commit overwrote another.
    expect(final.metadata['metadata-log']).toHaveLength(WRITERS * perWriter);
    expect(final['metadata-location']).toMatch(new RegExp(`/metadata/${String(WRITERS * perWriter).padStart(5, '0')}-`));
    // Commits did race for the pointer (and lost, and were rebuilt); their files are gone.
    expect(await lostRaces()).toBeGreaterThan(racesBefore);
    await expectNoOrphanFiles('props');
  }, 120_000);

  it('a multi-table transaction racing a single-table commit: one wins, the loser changes nothing', async () => {
    for (const t of ['a', 'b']) await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: t, schema: SAMPLE_SCHEMA });
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all(['a', 'b'].map((t) => ice.call('GET', `/v1/{prefix}/namespaces/r/tables/${t}`)));
      const baseA = a!.body.metadata['current-schema-id'];
      const before = { a: a!.body['metadata-location'] as string, b: b!.body['metadata-location'] as string };
      const requirement = { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': a!.body.metadata['last-column-id'] };
      const evolve = (metadata: any, name: string) => ({
        action: 'add-schema',
        schema: {
          ...metadata.schemas[metadata.schemas.length - 1],
          fields: [...metadata.schemas[metadata.schemas.length - 1].fields, { id: metadata['last-column-id'] + 1, name, required: false, type: 'string' }],
        },
      });
      const [tx, single] = await Promise.all([
        replicas[round % 2]!.call('POST', '/v1/{prefix}/transactions/commit', {
          'table-changes': [
            {
              identifier: { namespace: ['r'], name: 'a' },
              requirements: [requirement, { type: 'assert-current-schema-id', 'current-schema-id': baseA }],
              updates: [evolve(a!.body.metadata, `tx_${round}`), { action: 'set-current-schema', 'schema-id': -1 }],
            },
            {
              identifier: { namespace: ['r'], name: 'b' },
              requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': b!.body.metadata['current-schema-id'] }],
              updates: [{ action: 'set-properties', updates: { round: String(round) } }],
            },
          ],
        }),
        replicas[(round + 1) % 2]!.call('POST', '/v1/{prefix}/namespaces/r/tables/a', {
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
    // A transaction that lost deleted the files it had written for both tables.
    await expectNoOrphanFiles('a');
    await expectNoOrphanFiles('b');
  }, 120_000);

  it('a replica decides a commit on the table as it is when the commit arrives, not on what it last committed there', async () => {
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: 'back', schema: SAMPLE_SCHEMA });
    const location: string = created.body.metadata.location;
    const [first, second] = replicas as [IcebergClient, IcebergClient];
    const append = (client: IcebergClient, id: bigint, parent: bigint | null, seq: number) =>
      client.call('POST', '/v1/{prefix}/namespaces/r/tables/back', {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
        updates: [
          { action: 'add-snapshot', snapshot: appendSnapshot(id, parent, seq, location) },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
        ],
      });
    expect((await append(first, 1n, null, 1)).status).toBe(200);
    expect((await append(first, 2n, 1n, 2)).status).toBe(200);
    // The other replica rolls main back to snapshot 1.
    const rollback = await second.call('POST', '/v1/{prefix}/namespaces/r/tables/back', {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 2 }],
      updates: [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 }],
    });
    expect(rollback.status).toBe(200);
    // Main is 1 again, though the first replica last made it 2 and a stale commit there is refused at once: this one
    // asserts what the table is now and lands.
    const r = await append(first, 3n, 1n, 3);
    expect(r.status, r.text).toBe(200);
    const final = (await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/back')).body.metadata;
    expect(BigInt(final['current-snapshot-id'])).toBe(3n);
    // And one that asserts what the first replica had made is refused now.
    const stale = await append(first, 4n, 2n, 4);
    expect(stale.status).toBe(409);
    expect(stale.body.error.type).toBe('CommitFailedException');
  });

  it('a replica that last committed to a table follows what another replica did to it since: rename, drop, create', async () => {
    const [first, second] = replicas as [IcebergClient, IcebergClient];
    const setProperty = (client: IcebergClient, table: string, uuid: string, value: string) =>
      client.call('POST', `/v1/{prefix}/namespaces/r/tables/${table}`, {
        requirements: [{ type: 'assert-table-uuid', uuid }],
        updates: [{ action: 'set-properties', updates: { value } }],
      });
    const old = (await first.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: 'moving', schema: SAMPLE_SCHEMA })).body.metadata['table-uuid'];
    expect((await setProperty(first, 'moving', old, '1')).status).toBe(200);
    // The other replica renames it: the first replica's commit to the old name finds no table, not the renamed one.
    expect(
      (
        await second.call('POST', '/v1/{prefix}/tables/rename', {
          source: { namespace: ['r'], name: 'moving' },
          destination: { namespace: ['r'], name: 'moved' },
        })
      ).status,
    ).toBe(204);
    const gone = await setProperty(first, 'moving', old, '2');
    expect(gone.status).toBe(404);
    expect(gone.body.error.type).toBe('NoSuchTableException');
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/moved')).body.metadata.properties.value).toBe('1');
    // Back under the old name through the first replica, then dropped and created anew through the other: a commit
    // asserting the dropped table's uuid is refused, one asserting the new table's lands on the new table.
    expect(
      (
        await first.call('POST', '/v1/{prefix}/tables/rename', {
          source: { namespace: ['r'], name: 'moved' },
          destination: { namespace: ['r'], name: 'moving' },
        })
      ).status,
    ).toBe(204);
    expect((await setProperty(first, 'moving', old, '3')).status).toBe(200);
    expect((await second.call('DELETE', '/v1/{prefix}/namespaces/r/tables/moving')).status).toBe(204);
    const fresh = (await second.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: 'moving', schema: SAMPLE_SCHEMA })).body.metadata['table-uuid'];
    const refused = await setProperty(first, 'moving', old, '4');
    expect(refused.status).toBe(409);
    expect(refused.body.error.type).toBe('CommitFailedException');
    expect((await setProperty(first, 'moving', fresh, '5')).status).toBe(200);
    const now = (await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/moving')).body.metadata;
    expect(now['table-uuid']).toBe(fresh);
    expect(now.properties.value).toBe('5');
    await expectNoOrphanFiles('moving');
  });

  it('a commit sent twice at once with one Idempotency-Key lands once; both answers are its answer', async () => {
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: 'idem', schema: SAMPLE_SCHEMA });
    const key = '018f22e2-79b0-7cc3-98c4-dc0c0c07398a';
    const body = {
      requirements: [{ type: 'assert-table-uuid', uuid: created.body.metadata['table-uuid'] }],
      updates: [{ action: 'set-properties', updates: { once: 'yes' } }],
    };
    const [a, b] = await Promise.all(replicas.map((r) => r.call('POST', '/v1/{prefix}/namespaces/r/tables/idem', body, { 'idempotency-key': key })));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.body['metadata-location']).toBe(b!.body['metadata-location']);
    expect([a!.headers.get('idempotency-replayed'), b!.headers.get('idempotency-replayed')]).toContain('true');
    const later = await replicas[1]!.call('POST', '/v1/{prefix}/namespaces/r/tables/idem', body, { 'idempotency-key': key });
    expect(later.body['metadata-location']).toBe(a!.body['metadata-location']);
    const final = (await ice.call('GET', '/v1/{prefix}/namespaces/r/tables/idem')).body;
    expect(final['metadata-location']).toBe(a!.body['metadata-location']);
    expect(final.metadata['metadata-log']).toHaveLength(1);
    await expectNoOrphanFiles('idem');
  });

  it('a transaction whose one requirement fails changes no table and writes no file', async () => {
    for (const t of ['c', 'd']) await ice.call('POST', '/v1/{prefix}/namespaces/r/tables', { name: t, schema: SAMPLE_SCHEMA });
    const before = await Promise.all(['c', 'd'].map((t) => ice.call('GET', `/v1/{prefix}/namespaces/r/tables/${t}`)));
    const r = await replicas[1]!.call('POST', '/v1/{prefix}/transactions/commit', {
      'table-changes': [
        {
          identifier: { namespace: ['r'], name: 'c' },
          requirements: [{ type: 'assert-table-uuid', uuid: before[0]!.body.metadata['table-uuid'] }],
          updates: [{ action: 'set-properties', updates: { tx: '1' } }],
        },
        {
          identifier: { namespace: ['r'], name: 'd' },
          requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }],
          updates: [{ action: 'set-properties', updates: { tx: '1' } }],
        },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.type).toBe('CommitFailedException');
    for (const [i, t] of (['c', 'd'] as const).entries()) {
      const after = await ice.call('GET', `/v1/{prefix}/namespaces/r/tables/${t}`);
      expect(after.body['metadata-location']).toBe(before[i]!.body['metadata-location']);
      expect(after.body.metadata.properties.tx).toBeUndefined();
      await expectNoOrphanFiles(t);
    }
  });
});
