import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcebergClient, SAMPLE_SCHEMA, appendSnapshot, bigSnapshotId } from '../support/iceberg-client.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Two catalog replicas on one PostgreSQL database, as two pods. A replica keeps the metadata text it last served
 * per table (functions/catalog/handlers/metadata-cache.ts) but reads the table's pointer on every load: a commit,
 * drop or re-create made through the other replica shows in its very next answer, with a new ETag.
 */
const hasPostgres = !!process.env['DATABASE_URL'];
if (!hasPostgres) missingPrerequisite('the catalog replica suite', 'DATABASE_URL is not set: two replicas share a PostgreSQL database');

describe.skipIf(!hasPostgres)('loadTable across two catalog replicas on PostgreSQL', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let onA: IcebergClient;
  let onB: IcebergClient;
  let root: string;

  beforeAll(async () => {
    a = await startPlatform('postgres');
    b = await startPlatform('postgres', { sharedDatabaseOf: a });
    const admin = await a.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-replicas-'));
    expect((await a.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } })).status).toBe(201);
    onA = new IcebergClient(a, admin, 'wh');
    onB = new IcebergClient(b, admin, 'wh');
    expect((await onA.call('POST', '/v1/{prefix}/namespaces', { namespace: ['db'] })).status).toBe(200);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("a commit through one replica is in the other's next load, for snapshots=all and refs, with a new ETag", async () => {
    const created = await onB.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 't', schema: SAMPLE_SCHEMA });
    expect(created.status, created.text).toBe(200);
    const tableLocation: string = created.body.metadata.location;

    // A serves (and keeps) the first version in both modes.
    const first = await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/t');
    expect(first.body['metadata-location']).toBe(created.body['metadata-location']);
    const firstRefs = await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/t?snapshots=refs');
    expect(firstRefs.body.metadata.snapshots).toEqual([]);
    const etag = first.headers.get('etag')!;
    expect((await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/t', undefined, { 'if-none-match': etag })).status).toBe(304);

    const s1 = bigSnapshotId();
    const commit = await onB.call('POST', '/v1/{prefix}/namespaces/db/tables/t', {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
      updates: [
        { action: 'add-snapshot', snapshot: appendSnapshot(s1, null, 1, tableLocation) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': s1 },
      ],
    });
    expect(commit.status, commit.text).toBe(200);

    const after = await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/t', undefined, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.body['metadata-location']).toBe(commit.body['metadata-location']);
    expect(after.body.metadata).toEqual(commit.body.metadata);
    expect(after.headers.get('etag')).not.toBe(etag);
    const afterRefs = await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/t?snapshots=refs');
    expect(afterRefs.body.metadata.snapshots.map((s: { 'snapshot-id': bigint }) => s['snapshot-id'])).toEqual([s1]);
  });

  it('a table dropped and created again under the same name through one replica is the new table on the other', async () => {
    await onA.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'again', schema: SAMPLE_SCHEMA, properties: { generation: 'one' } });
    expect((await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/again')).body.metadata.properties).toEqual({ generation: 'one' });

    expect((await onB.call('DELETE', '/v1/{prefix}/namespaces/db/tables/again')).status).toBe(204);
    const gone = await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/again');
    expect(gone.status).toBe(404);
    expect(gone.body.error.type).toBe('NoSuchTableException');

    const recreated = await onB.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'again', schema: SAMPLE_SCHEMA, properties: { generation: 'two' } });
    const loaded = await onA.call('GET', '/v1/{prefix}/namespaces/db/tables/again');
    expect(loaded.body['metadata-location']).toBe(recreated.body['metadata-location']);
    expect(loaded.body.metadata.properties).toEqual({ generation: 'two' });
  });
});
