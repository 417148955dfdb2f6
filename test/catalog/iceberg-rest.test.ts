import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../../shared/json/index.js';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA, appendSnapshot, bigSnapshotId, ns } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * The Iceberg REST API through real HTTP: every answer is checked against the official spec by IcebergClient, and
 * the metadata files the catalog writes are read back from disk.
 */
describe.each(backends())('Iceberg REST catalog on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ice: IcebergClient;
  let root: string;
  let location: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-wh-'));
    location = pathToFileURL(root).href;
    const wh = await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: location, description: 'test warehouse' } });
    expect(wh.status).toBe(201);
    ice = new IcebergClient(p, admin, 'wh');
  });
  afterAll(async () => {
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function createTable(namespace: string, name: string, extra: Record<string, unknown> = {}) {
    const r = await ice.call('POST', `/v1/{prefix}/namespaces/${namespace}/tables`, { name, schema: SAMPLE_SCHEMA, ...extra });
    expect(r.status, r.text).toBe(200);
    return r;
  }

  it('config: picks the warehouse, names its prefix and separator, lists every served endpoint', async () => {
    const r = await ice.call('GET', '/v1/config?warehouse=wh');
    expect(r.status).toBe(200);
    expect(r.body.overrides).toEqual({ prefix: 'wh', 'namespace-separator': '%1F' });
    expect(r.body['idempotency-key-lifetime']).toBe('PT30M');
    const specEndpoints = ice.spec?.endpoints();
    if (specEndpoints) for (const e of r.body.endpoints as string[]) expect(specEndpoints, e).toContain(e);
    expect(r.body.endpoints).toContain('POST /v1/{prefix}/transactions/commit');
    // The only warehouse is the default; a location names it too; an unknown one is 404.
    expect((await ice.call('GET', '/v1/config')).body.overrides.prefix).toBe('wh');
    expect((await ice.call('GET', `/v1/config?warehouse=${encodeURIComponent(location)}`)).body.overrides.prefix).toBe('wh');
    const unknown = await ice.call('GET', '/v1/config?warehouse=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ type: 'NoSuchWarehouseException', code: 404 });
  });

  it("refuses a missing or bad credential with 401 in Iceberg's error shape", async () => {
    const saved = ice.token;
    ice.token = 'not-a-token';
    try {
      const r = await ice.call('GET', '/v1/{prefix}/namespaces');
      expect(r.status).toBe(401);
      expect(r.body.error.type).toBe('NotAuthorizedException');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    } finally {
      ice.token = saved;
    }
  });

  it('a namespace location places its tables and views, and must lie inside the warehouse', async () => {
    const outside = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['placed'], properties: { location: 'file:///elsewhere/placed' } });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toMatch(/property location file:\/\/\/elsewhere\/placed is outside warehouse wh/);
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/placed')).status).toBe(404);

    const created = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['placed'], properties: { location: `${location}/custom/place/` } });
    expect(created.status).toBe(200);
    expect(created.body.properties).toEqual({ location: `${location}/custom/place` });
    const table = await ice.call('POST', '/v1/{prefix}/namespaces/placed/tables', { name: 't', schema: SAMPLE_SCHEMA });
    expect(table.status).toBe(200);
    expect(table.body.metadata.location).toMatch(new RegExp(`^${location}/custom/place/t-[0-9a-f]{32}$`));

    const moved = await ice.call('POST', '/v1/{prefix}/namespaces/placed/properties', { updates: { location: 'file:///elsewhere' }, removals: [] });
    expect(moved.status).toBe(403);
    const reset = await ice.call('POST', '/v1/{prefix}/namespaces/placed/properties', { updates: {}, removals: ['location'] });
    expect(reset.body).toEqual({ updated: [], removed: ['location'], missing: null });
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/placed')).body.properties).toEqual({ location: `${location}/placed` });
    // Tables keep where they were made.
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/placed/tables/t')).body.metadata.location).toBe(table.body.metadata.location);
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/placed/tables/t')).status).toBe(204);
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/placed')).status).toBe(204);
  });

  it('namespaces: create, conflict, load, exists, properties, list with paging, drop', async () => {
    const created = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'], properties: { owner: 'ada' } });
    expect(created.status).toBe(200);
    // Its location is always shown (engines such as Trino place tables by it), under the warehouse unless set.
    expect(created.body).toEqual({ namespace: ['sales'], properties: { owner: 'ada', location: `${location}/sales` } });
    const dup = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ type: 'AlreadyExistsException', message: 'Namespace already exists: sales' });

    expect((await ice.call('GET', '/v1/{prefix}/namespaces/sales')).body).toEqual({
      namespace: ['sales'],
      properties: { owner: 'ada', location: `${location}/sales` },
    });
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/sales')).status).toBe(204);
    const missing = await ice.call('HEAD', '/v1/{prefix}/namespaces/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');

    const props = await ice.call('POST', '/v1/{prefix}/namespaces/sales/properties', { updates: { team: 'bi' }, removals: ['owner', 'absent'] });
    expect(props.status).toBe(200);
    expect(props.body).toEqual({ updated: ['team'], removed: ['owner'], missing: ['absent'] });
    const both = await ice.call('POST', '/v1/{prefix}/namespaces/sales/properties', { updates: { a: '1' }, removals: ['a'] });
    expect(both.status).toBe(422);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/sales')).body.properties).toEqual({ team: 'bi', location: `${location}/sales` });

    for (const name of ['zeta', 'alpha', 'mid']) await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: [name] });
    const all = await ice.call('GET', '/v1/{prefix}/namespaces');
    expect(all.body.namespaces).toEqual([['alpha'], ['mid'], ['sales'], ['zeta']]);
    expect(all.body['next-page-token']).toBeUndefined();
    const seen: string[][] = [];
    let token = '';
    for (let guard = 0; guard < 10; guard++) {
      const page = await ice.call('GET', `/v1/{prefix}/namespaces?pageToken=${encodeURIComponent(token)}&pageSize=3`);
      seen.push(...page.body.namespaces);
      if (page.body['next-page-token'] === null) break;
      token = page.body['next-page-token'];
      // A namespace created between pages sorts before the cursor and is neither repeated nor breaks the listing.
      if (guard === 0) await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['aardvark'] });
    }
    expect(seen).toEqual([['alpha'], ['mid'], ['sales'], ['zeta']]);
    const bad = await ice.call('GET', '/v1/{prefix}/namespaces?pageToken=garbage');
    expect(bad.status).toBe(400);

    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/zeta')).status).toBe(204);
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/zeta')).status).toBe(404);
  });

  it('nested namespaces: parents are made as needed; listing by parent with either separator', async () => {
    const r = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['acct', 'tax', 'paid'] });
    expect(r.status).toBe(200);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces?parent=acct')).body.namespaces).toEqual([['acct', 'tax']]);
    expect((await ice.call('GET', `/v1/{prefix}/namespaces?parent=${ns('acct', 'tax')}`)).body.namespaces).toEqual([['acct', 'tax', 'paid']]);
    // A client that encoded the advertised separator twice sends a literal "%1F".
    expect((await ice.call('GET', '/v1/{prefix}/namespaces?parent=acct%251Ftax')).body.namespaces).toEqual([['acct', 'tax', 'paid']]);
    expect((await ice.call('GET', `/v1/{prefix}/namespaces/${ns('acct', 'tax', 'paid')}`)).body.namespace).toEqual(['acct', 'tax', 'paid']);
    const missingParent = await ice.call('GET', '/v1/{prefix}/namespaces?parent=nowhere');
    expect(missingParent.status).toBe(404);
    expect(missingParent.body.error.type).toBe('NoSuchNamespaceException');
    const notEmpty = await ice.call('DELETE', '/v1/{prefix}/namespaces/acct');
    expect(notEmpty.status).toBe(409);
    expect(notEmpty.body.error.type).toBe('NamespaceNotEmptyException');
  });

  it('createTable: fresh ids, a v2 metadata file at version 0, and loadTable serving it with an ETag', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['db'] });
    const created = await createTable('db', 'events', {
      'partition-spec': { fields: [{ 'source-id': 5, name: 'ts_day', transform: 'day' }] },
      'write-order': { 'order-id': 1, fields: [{ 'source-id': 3, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
      properties: { owner: 'ada' },
      location: null,
    });
    const m = created.body.metadata;
    expect(m['format-version']).toBe(2);
    expect(m.schemas[0].fields.map((f: { id: number }) => f.id)).toEqual([1, 2, 3]);
    expect(m['last-column-id']).toBe(3);
    expect(m['partition-specs']).toEqual([{ 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] }]);
    expect(m['last-partition-id']).toBe(1000);
    expect(m['sort-orders']).toEqual([{ 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] }]);
    expect(m['default-sort-order-id']).toBe(1);
    expect(m['current-snapshot-id']).toBe(-1);
    expect(m.properties).toEqual({ owner: 'ada' });
    expect(m.location.startsWith(`${location}/db/events-`)).toBe(true);
    const metadataLocation: string = created.body['metadata-location'];
    expect(metadataLocation).toMatch(/\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/);
    const onDisk = parseJsonLossless(readFileSync(new URL(metadataLocation), 'utf8'));
    expect(onDisk).toEqual(m);

    const loaded = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events?snapshots=all');
    expect(loaded.status).toBe(200);
    expect(loaded.body['metadata-location']).toBe(metadataLocation);
    expect(loaded.body.metadata).toEqual(m);
    const etag = loaded.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/events?snapshots=all', undefined, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/db/tables/events')).status).toBe(204);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/db/tables')).body.identifiers).toEqual([{ namespace: ['db'], name: 'events' }]);
  });

  it('loadTable finds the table at every namespace depth, and only there', async () => {
    // The lookup matches the namespace's levels as an array (store/table-read-batch.ts): one name at three depths.
    const paths = [['deep'], ['deep', 'er'], ['deep', 'er', 'est']];
    for (const levels of paths) {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: levels });
      await createTable(ns(...levels), 'same', { properties: { depth: String(levels.length) } });
    }
    for (const levels of paths) {
      const r = await ice.call('GET', `/v1/{prefix}/namespaces/${ns(...levels)}/tables/same`);
      expect(r.status, levels.join('.')).toBe(200);
      expect(r.body.metadata.properties.depth).toBe(String(levels.length));
    }
    expect((await ice.call('GET', `/v1/{prefix}/namespaces/${ns('deep', 'er', 'est', 'no')}/tables/same`)).status).toBe(404);
    expect((await ice.call('GET', `/v1/{prefix}/namespaces/${ns('er')}/tables/same`)).status).toBe(404);
    const wrongWarehouse = await new IcebergClient(p, admin, 'nope').call('GET', '/v1/{prefix}/namespaces/deep/tables/same');
    expect(wrongWarehouse.status).toBe(404);
  });

  it('concurrent loads each get their own table, their own 404, at any depth', async () => {
    // Loads of one event-loop turn share one lookup query (store/table-read-batch.ts): mix hits, misses, a view
    // and depths in one burst, twice (the second time the kept metadata text is not sent again), and check each.
    const paths = [['burst'], ['burst', 'inner'], ['burst', 'inner', 'most']];
    for (const levels of paths) {
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: levels });
      for (const t of ['a', 'b']) await createTable(ns(...levels), t, { properties: { who: `${levels.join('.')}.${t}` } });
    }
    const view = await ice.call('POST', `/v1/{prefix}/namespaces/burst/views`, {
      name: 'v',
      schema: SAMPLE_SCHEMA,
      'view-version': {
        'version-id': 1,
        'timestamp-ms': Date.now(),
        'schema-id': 0,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        'default-namespace': ['burst'],
      },
      properties: {},
    });
    expect(view.status, view.text).toBe(200);
    const asks: Array<{ path: string; who?: string; status: number }> = [];
    for (const levels of paths) {
      for (const t of ['a', 'b']) asks.push({ path: `/v1/{prefix}/namespaces/${ns(...levels)}/tables/${t}`, who: `${levels.join('.')}.${t}`, status: 200 });
      asks.push({ path: `/v1/{prefix}/namespaces/${ns(...levels)}/tables/missing`, status: 404 });
    }
    asks.push({ path: '/v1/{prefix}/namespaces/burst/tables/v', status: 404 });
    asks.push({ path: `/v1/{prefix}/namespaces/${ns('burst', 'nope')}/tables/a`, status: 404 });
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(asks.map((a) => ice.call('GET', a.path)));
      answers.forEach((r, i) => {
        const ask = asks[i]!;
        expect(r.status, `${ask.path}: ${r.text}`).toBe(ask.status);
        if (ask.who) expect(r.body.metadata.properties.who).toBe(ask.who);
        else expect(r.body.error.type).toBe('NoSuchTableException');
      });
    }
  });

  it('createTable refuses what it cannot do, naming the problem, and creates nothing', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['bad'] });
    const cases: Array<[unknown, number, string]> = [
      [{ name: 't', schema: SAMPLE_SCHEMA, properties: { 'format-version': '9' } }, 400, 'Unsupported format version'],
      [{ name: 't', schema: { type: 'struct', fields: [{ id: 1, name: 'x', type: 'long' }] } }, 400, 'required'],
      [{ name: 't' }, 400, 'schema'],
      [{ name: 't', schema: SAMPLE_SCHEMA, 'partition-spec': { fields: [{ 'source-id': 99, name: 'p', transform: 'identity' }] } }, 400, 'source column 99'],
      [{ name: 't', schema: SAMPLE_SCHEMA, location: 'file:///somewhere/else' }, 403, 'outside warehouse'],
      [{ name: 't', schema: 'not an object' }, 400, 'schema'],
    ];
    for (const [body, status, message] of cases) {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/bad/tables', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.message, JSON.stringify(body)).toContain(message);
    }
    const malformed = await ice.call('POST', '/v1/{prefix}/namespaces/bad/tables', '{"name": "t", ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.type).toBe('BadRequestException');
    const huge = await ice.call('POST', '/v1/{prefix}/namespaces/bad/tables', {
      name: 't',
      schema: SAMPLE_SCHEMA,
      properties: { blob: 'x'.repeat(2 * 1024 * 1024) },
    });
    // The spec declares no 413 or 415: both are 400 BadRequestException, with the reason in the message.
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ type: 'BadRequestException', code: 400 });
    expect(huge.body.error.message).toContain('larger than');
    const wrongType = await ice.call('POST', '/v1/{prefix}/namespaces/bad/tables', 'name=t', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain('Content-Type');
    const missingNs = await ice.call('POST', '/v1/{prefix}/namespaces/ghost/tables', { name: 't', schema: SAMPLE_SCHEMA });
    expect(missingNs.status).toBe(404);
    expect(missingNs.body.error.type).toBe('NoSuchNamespaceException');
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/bad/tables')).body.identifiers).toEqual([]);
  });

  it('commits snapshots with 64-bit ids, moves main, keeps the snapshot and metadata logs', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['commits'] });
    const created = await createTable('commits', 't');
    const tableLocation: string = created.body.metadata.location;
    const uuid: string = created.body.metadata['table-uuid'];
    const s1 = bigSnapshotId();
    const first = await ice.call('POST', '/v1/{prefix}/namespaces/commits/tables/t', {
      requirements: [
        { type: 'assert-table-uuid', uuid },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
      ],
      updates: [
        { action: 'add-snapshot', snapshot: appendSnapshot(s1, null, 1, tableLocation) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': s1 },
      ],
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.metadata['current-snapshot-id']).toBe(s1);
    expect(first.body.metadata.refs).toEqual({ main: { 'snapshot-id': s1, type: 'branch' } });
    expect(first.body.metadata['last-sequence-number']).toBe(1);
    expect(first.body['metadata-location']).toMatch(/\/metadata\/00001-/);
    expect(first.text).toContain(String(s1));

    const s2 = bigSnapshotId();
    const second = await ice.call('POST', '/v1/{prefix}/namespaces/commits/tables/t', {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': s1 }],
      updates: [
        { action: 'add-snapshot', snapshot: appendSnapshot(s2, s1, 2, tableLocation) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': s2 },
        { action: 'set-properties', updates: { 'commit.retry.num-retries': '5' } },
      ],
    });
    expect(second.status).toBe(200);
    const m = second.body.metadata;
    expect(m.snapshots.map((s: { 'snapshot-id': bigint }) => s['snapshot-id'])).toEqual([s1, s2]);
    expect(m['snapshot-log'].map((e: { 'snapshot-id': bigint }) => e['snapshot-id'])).toEqual([s1, s2]);
    expect(m['metadata-log'].map((e: { 'metadata-file': string }) => e['metadata-file'])).toEqual([
      created.body['metadata-location'],
      first.body['metadata-location'],
    ]);

    // A writer with a stale base loses: 409 CommitFailedException, and nothing changes.
    const stale = await ice.call('POST', '/v1/{prefix}/namespaces/commits/tables/t', {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': s1 }],
      updates: [{ action: 'set-properties', updates: { lost: 'yes' } }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.type).toBe('CommitFailedException');
    expect(stale.body.error.message).toBe(`Requirement failed: branch main has changed: expected id ${s1} != ${s2}`);
    const now = await ice.call('GET', '/v1/{prefix}/namespaces/commits/tables/t');
    expect(now.body['metadata-location']).toBe(second.body['metadata-location']);
    expect(now.body.metadata.properties.lost).toBeUndefined();

    // snapshots=refs returns only what a branch or tag points at.
    const refsOnly = await ice.call('GET', '/v1/{prefix}/namespaces/commits/tables/t?snapshots=refs');
    expect(refsOnly.body.metadata.snapshots.map((s: { 'snapshot-id': bigint }) => s['snapshot-id'])).toEqual([s2]);
  });

  it('checks every requirement type and refuses a bad update without changing the table', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['req'] });
    const created = await createTable('req', 't');
    const before = created.body['metadata-location'];
    const failing: Array<[Record<string, unknown>, string]> = [
      [{ type: 'assert-create' }, 'Requirement failed: table already exists'],
      [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }, 'UUID does not match'],
      [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 42 }, 'branch or tag main is missing, expected 42'],
      [{ type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 99 }, 'last assigned field id changed'],
      [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }, 'current schema changed'],
      [{ type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1 }, 'last assigned partition id changed'],
      [{ type: 'assert-default-spec-id', 'default-spec-id': 3 }, 'default partition spec changed'],
      [{ type: 'assert-default-sort-order-id', 'default-sort-order-id': 3 }, 'default sort order changed'],
    ];
    for (const [requirement, message] of failing) {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/req/tables/t', {
        requirements: [requirement],
        updates: [{ action: 'set-properties', updates: { x: '1' } }],
      });
      expect(r.status, JSON.stringify(requirement)).toBe(409);
      expect(r.body.error.message).toContain(message);
    }
    const badUpdates: Array<[unknown, number]> = [
      [{ action: 'no-such-action' }, 400],
      [{ action: 'set-current-schema', 'schema-id': 12 }, 400],
      [{ action: 'upgrade-format-version', 'format-version': 1 }, 400],
      [{ action: 'upgrade-format-version', 'format-version': 4 }, 400],
      [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 123 }, 400],
      [{ action: 'set-properties', updates: { n: 1 } }, 400],
      [{ action: 'remove-schemas', 'schema-ids': [0] }, 400],
      [{ action: 'set-location', location: 'file:///elsewhere' }, 403],
    ];
    for (const [update, status] of badUpdates) {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/req/tables/t', { requirements: [], updates: [update] });
      expect(r.status, JSON.stringify(update)).toBe(status);
    }
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/req/tables/t')).body['metadata-location']).toBe(before);
  });

  it('evolves the schema, spec and sort order with -1 meaning "the one just added", and upgrades to v3', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['evolve'] });
    const created = await createTable('evolve', 't');
    const schema = created.body.metadata.schemas[0];
    const r = await ice.call('POST', '/v1/{prefix}/namespaces/evolve/tables/t', {
      requirements: [
        { type: 'assert-current-schema-id', 'current-schema-id': 0 },
        { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 3 },
      ],
      updates: [
        {
          action: 'add-schema',
          schema: { ...schema, 'schema-id': 1, fields: [...schema.fields, { id: 4, name: 'country', required: false, type: 'string' }] },
        },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: { fields: [{ 'source-id': 4, name: 'country', transform: 'identity' }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
        {
          action: 'add-sort-order',
          'sort-order': { 'order-id': 5, fields: [{ 'source-id': 4, transform: 'identity', direction: 'desc', 'null-order': 'nulls-last' }] },
        },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'upgrade-format-version', 'format-version': 3 },
      ],
    });
    expect(r.status, r.text).toBe(200);
    const m = r.body.metadata;
    expect(m['current-schema-id']).toBe(1);
    expect(m['last-column-id']).toBe(4);
    expect(m['default-spec-id']).toBe(1);
    expect(m['partition-specs'][1]).toEqual({ 'spec-id': 1, fields: [{ 'source-id': 4, 'field-id': 1000, name: 'country', transform: 'identity' }] });
    expect(m['default-sort-order-id']).toBe(1);
    expect(m['format-version']).toBe(3);
    expect(m['next-row-id']).toBe(0);
    // Re-adding an identical schema reuses its id.
    const same = await ice.call('POST', '/v1/{prefix}/namespaces/evolve/tables/t', {
      requirements: [],
      updates: [
        { action: 'add-schema', schema: { ...m.schemas[1], 'schema-id': 9 } },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(same.body.metadata.schemas).toHaveLength(2);
    expect(same.body['metadata-location']).toBe(r.body['metadata-location']);
  });

  it('stage-create stores nothing; the create transaction commits with assert-create', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['staged'] });
    const staged = await createTable('staged', 'ctas', { 'stage-create': true });
    expect(staged.body['metadata-location']).toBeUndefined();
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/staged/tables/ctas')).status).toBe(404);
    const m = staged.body.metadata;
    const s1 = bigSnapshotId();
    const commit = await ice.call('POST', '/v1/{prefix}/namespaces/staged/tables/ctas', {
      requirements: [{ type: 'assert-create' }],
      updates: [
        { action: 'assign-uuid', uuid: m['table-uuid'] },
        { action: 'upgrade-format-version', 'format-version': 2 },
        { action: 'add-schema', schema: m.schemas[0] },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: m['partition-specs'][0] },
        { action: 'set-default-spec', 'spec-id': -1 },
        { action: 'add-sort-order', 'sort-order': m['sort-orders'][0] },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'set-location', location: m.location },
        { action: 'add-snapshot', snapshot: appendSnapshot(s1, null, 1, m.location) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': s1 },
      ],
    });
    expect(commit.status, commit.text).toBe(200);
    expect(commit.body.metadata['table-uuid']).toBe(m['table-uuid']);
    expect(commit.body.metadata['current-snapshot-id']).toBe(s1);
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/staged/tables/ctas')).status).toBe(204);
    const twice = await ice.call('POST', '/v1/{prefix}/namespaces/staged/tables/ctas', { requirements: [{ type: 'assert-create' }], updates: [] });
    expect(twice.status).toBe(409);
  });

  it('missing tables are NoSuchTableException, even in a missing namespace; tables and views share names', async () => {
    const inMissing = await ice.call('GET', '/v1/{prefix}/namespaces/ghost/tables/t');
    expect(inMissing.status).toBe(404);
    expect(inMissing.body.error.type).toBe('NoSuchTableException');
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['names'] });
    const missing = await ice.call('GET', '/v1/{prefix}/namespaces/names/tables/t');
    expect(missing.body.error).toMatchObject({ type: 'NoSuchTableException', message: 'Table does not exist: names.t', code: 404 });
    await createTable('names', 'shared');
    const view = await ice.call('POST', '/v1/{prefix}/namespaces/names/views', {
      name: 'shared',
      schema: SAMPLE_SCHEMA,
      properties: {},
      'view-version': {
        'version-id': 1,
        'timestamp-ms': Date.now(),
        'schema-id': 0,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        'default-namespace': ['names'],
      },
    });
    expect(view.status).toBe(409);
    expect(view.body.error.message).toBe('Table with same name already exists: names.shared');
    const asView = await ice.call('GET', '/v1/{prefix}/namespaces/names/views/shared');
    expect(asView.status).toBe(404);
    expect(asView.body.error.type).toBe('NoSuchViewException');
  });

  it('renames, drops, and purges a table with its files', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['ops'] });
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['archive'] });
    const created = await createTable('ops', 'old');
    const rename = await ice.call('POST', '/v1/{prefix}/tables/rename', {
      source: { namespace: ['ops'], name: 'old' },
      destination: { namespace: ['archive'], name: 'new' },
    });
    expect(rename.status).toBe(204);
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/ops/tables/old')).status).toBe(404);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/archive/tables/new')).body['metadata-location']).toBe(created.body['metadata-location']);
    const missingSource = await ice.call('POST', '/v1/{prefix}/tables/rename', {
      source: { namespace: ['ops'], name: 'old' },
      destination: { namespace: ['ops'], name: 'x' },
    });
    expect(missingSource.body.error.type).toBe('NoSuchTableException');
    const missingTarget = await ice.call('POST', '/v1/{prefix}/tables/rename', {
      source: { namespace: ['archive'], name: 'new' },
      destination: { namespace: ['nowhere'], name: 'x' },
    });
    expect(missingTarget.body.error.type).toBe('NoSuchNamespaceException');

    const tableDir = new URL(created.body.metadata.location);
    expect(existsSync(tableDir)).toBe(true);
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/archive/tables/new?purgeRequested=maybe')).status).toBe(400);
    // PyIceberg writes Python's True/False.
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/archive/tables/new?purgeRequested=True')).status).toBe(204);
    expect(existsSync(tableDir)).toBe(false);

    const kept = await createTable('ops', 'kept');
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/ops/tables/kept')).status).toBe(204);
    expect(existsSync(new URL(kept.body['metadata-location']))).toBe(true);
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/ops/tables/kept')).status).toBe(404);
  });

  it('a purge never takes files another table still uses', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['shared'] });
    const dataPath = `${location}/shared-data`;
    await createTable('shared', 'a', { properties: { 'write.data.path': dataPath } });
    const b = await createTable('shared', 'b', { properties: { 'write.data.path': dataPath } });
    mkdirSync(new URL(dataPath), { recursive: true });
    writeFileSync(new URL(`${dataPath}/b-part-0.parquet`), 'b');
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/shared/tables/a?purgeRequested=true')).status).toBe(204);
    expect(existsSync(new URL(`${dataPath}/b-part-0.parquet`))).toBe(true);
    expect(existsSync(new URL(b.body['metadata-location']))).toBe(true);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/shared/tables/b')).status).toBe(200);
  });

  it('registers a table from its metadata file, and unregisters it leaving the files', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['reg'] });
    const created = await createTable('reg', 'src');
    const unregistered = await ice.call('POST', '/v1/{prefix}/namespaces/reg/tables/src/unregister');
    expect(unregistered.status).toBe(200);
    expect(unregistered.body['metadata-location']).toBe(created.body['metadata-location']);
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/reg/tables/src')).status).toBe(404);
    const registered = await ice.call('POST', '/v1/{prefix}/namespaces/reg/register', { name: 'copy', 'metadata-location': created.body['metadata-location'] });
    expect(registered.status).toBe(200);
    expect(registered.body.metadata['table-uuid']).toBe(created.body.metadata['table-uuid']);
    const outside = await ice.call('POST', '/v1/{prefix}/namespaces/reg/register', { name: 'evil', 'metadata-location': 'file:///etc/passwd' });
    expect(outside.status).toBe(403);
    const absent = await ice.call('POST', '/v1/{prefix}/namespaces/reg/register', { name: 'absent', 'metadata-location': `${location}/nope.metadata.json` });
    expect(absent.status).toBe(400);
  });

  it('a table whose metadata file is gone is reported, not served', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['broken'] });
    const created = await createTable('broken', 't');
    // Served (and its metadata kept by the catalog) first, as Iceberg's RCK does before it deletes the file.
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/broken/tables/t')).status).toBe(200);
    rmSync(new URL(created.body['metadata-location']));
    const r = await ice.call('GET', '/v1/{prefix}/namespaces/broken/tables/t');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ type: 'NotFoundException', message: `Failed to open input stream for file: ${created.body['metadata-location']}` });
  });

  it('commits several tables atomically: one failing requirement leaves every table as it was', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['tx'] });
    const a = await createTable('tx', 'a');
    const b = await createTable('tx', 'b');
    const failing = await ice.call('POST', '/v1/{prefix}/transactions/commit', {
      'table-changes': [
        { identifier: { namespace: ['tx'], name: 'a' }, requirements: [], updates: [{ action: 'set-properties', updates: { tx: '1' } }] },
        {
          identifier: { namespace: ['tx'], name: 'b' },
          requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 5 }],
          updates: [{ action: 'set-properties', updates: { tx: '1' } }],
        },
      ],
    });
    expect(failing.status).toBe(409);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/tx/tables/a')).body['metadata-location']).toBe(a.body['metadata-location']);
    const ok = await ice.call('POST', '/v1/{prefix}/transactions/commit', {
      'table-changes': [
        {
          identifier: { namespace: ['tx'], name: 'a' },
          requirements: [{ type: 'assert-table-uuid', uuid: a.body.metadata['table-uuid'] }],
          updates: [{ action: 'set-properties', updates: { tx: '2' } }],
        },
        {
          identifier: { namespace: ['tx'], name: 'b' },
          requirements: [{ type: 'assert-table-uuid', uuid: b.body.metadata['table-uuid'] }],
          updates: [{ action: 'set-properties', updates: { tx: '2' } }],
        },
      ],
    });
    expect(ok.status).toBe(204);
    for (const t of ['a', 'b']) expect((await ice.call('GET', `/v1/{prefix}/namespaces/tx/tables/${t}`)).body.metadata.properties.tx).toBe('2');
    const missing = await ice.call('POST', '/v1/{prefix}/transactions/commit', {
      'table-changes': [{ identifier: { namespace: ['tx'], name: 'zzz' }, requirements: [], updates: [] }],
    });
    expect(missing.status).toBe(404);
  });

  it('honours Idempotency-Key: a retried create answers the first answer and creates once', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['idem'] });
    const key = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
    const body = { name: 't', schema: SAMPLE_SCHEMA };
    const first = await ice.call('POST', '/v1/{prefix}/namespaces/idem/tables', body, { 'idempotency-key': key });
    const retry = await ice.call('POST', '/v1/{prefix}/namespaces/idem/tables', body, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body['metadata-location']).toBe(first.body['metadata-location']);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    const plain = await ice.call('POST', '/v1/{prefix}/namespaces/idem/tables', body);
    expect(plain.status).toBe(409);
    const misuse = await ice.call('DELETE', '/v1/{prefix}/namespaces/idem/tables/t', undefined, { 'idempotency-key': key });
    expect(misuse.status).toBe(400);
    const badKey = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['k'] }, { 'idempotency-key': 'nope' });
    expect(badKey.status).toBe(400);
  });

  it('views: create, load, replace with a new version, rename, drop', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['v'] });
    const version = (id: number, sql: string) => ({
      'version-id': id,
      'timestamp-ms': Date.now(),
      'schema-id': 0,
      summary: { 'engine-name': 'spark' },
      representations: [{ type: 'sql', sql, dialect: 'spark' }],
      'default-namespace': ['v'],
    });
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/v/views', {
      name: 'daily',
      schema: SAMPLE_SCHEMA,
      'view-version': version(1, 'select 1'),
      properties: { comment: 'x' },
      location: null,
    });
    expect(created.status, created.text).toBe(200);
    expect(created.body.metadata['current-version-id']).toBe(1);
    const uuid = created.body.metadata['view-uuid'];
    const replaced = await ice.call('POST', '/v1/{prefix}/namespaces/v/views/daily', {
      requirements: [{ type: 'assert-view-uuid', uuid }],
      updates: [
        { action: 'add-view-version', 'view-version': version(2, 'select 2') },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.metadata['current-version-id']).toBe(2);
    expect(replaced.body.metadata['version-log'].map((e: { 'version-id': number }) => e['version-id'])).toEqual([1, 2]);
    const twoQueries = await ice.call('POST', '/v1/{prefix}/namespaces/v/views', {
      name: 'dup',
      schema: SAMPLE_SCHEMA,
      properties: {},
      'view-version': {
        ...version(1, 'select 1'),
        representations: [
          { type: 'sql', sql: 'a', dialect: 'trino' },
          { type: 'sql', sql: 'b', dialect: 'trino' },
        ],
      },
    });
    expect(twoQueries.status).toBe(400);
    expect(twoQueries.body.error).toMatchObject({
      type: 'IllegalArgumentException',
      message: 'Invalid view version: Cannot add multiple queries for dialect trino',
    });
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/v/views')).body.identifiers).toEqual([{ namespace: ['v'], name: 'daily' }]);
    expect(
      (await ice.call('POST', '/v1/{prefix}/views/rename', { source: { namespace: ['v'], name: 'daily' }, destination: { namespace: ['v'], name: 'weekly' } }))
        .status,
    ).toBe(204);
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/v/views/weekly')).body.metadata['view-uuid']).toBe(uuid);
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/v/views/weekly')).status).toBe(204);
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/v/views/weekly')).status).toBe(404);
  });

  it('accepts metrics reports, serves credentials, and answers 406 for what it does not implement', async () => {
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['misc'] });
    await createTable('misc', 't');
    const report = await ice.call('POST', '/v1/{prefix}/namespaces/misc/tables/t/metrics', {
      'report-type': 'commit-report',
      'table-name': 'wh.misc.t',
      'snapshot-id': 1,
      'sequence-number': 1,
      operation: 'append',
      metrics: {},
    });
    expect(report.status).toBe(204);
    const creds = await ice.call('GET', '/v1/{prefix}/namespaces/misc/tables/t/credentials');
    expect(creds.body).toEqual({ 'storage-credentials': [] });
    const plan = await ice.call('POST', '/v1/{prefix}/namespaces/misc/tables/t/plan', {});
    expect(plan.status).toBe(406);
    expect(plan.body.error.type).toBe('UnsupportedOperationException');
  });

  it('serves the deprecated /v1/oauth/tokens for service accounts, and token exchange to renew', async () => {
    const sa = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'spark-etl', isAdmin: true } });
    expect(sa.status).toBe(201);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sa.body.credentials.clientId,
      client_secret: sa.body.credentials.clientSecret,
      scope: 'catalog',
    });
    const r = await fetch(`${p.url}/iceberg/v1/oauth/tokens`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(r.status).toBe(200);
    const token = (await r.json()) as { access_token: string; token_type: string };
    expect(token.token_type.toLowerCase()).toBe('bearer');
    const exchange = await fetch(`${p.url}/iceberg/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token.access_token}` },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: token.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        scope: 'catalog',
      }),
    });
    expect(exchange.status).toBe(200);
    const renewed = (await exchange.json()) as { access_token: string };
    const asService = new IcebergClient(p, renewed.access_token, 'wh');
    expect((await asService.call('GET', '/v1/{prefix}/namespaces')).status).toBe(200);
    const wrong = await fetch(`${p.url}/iceberg/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sa.body.credentials.clientId, client_secret: 'wrong' }),
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('members without a grant are refused with 403 ForbiddenException', async () => {
    await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'mallory', password: 'mallory-password-1' } });
    const login = await p.login('mallory', 'mallory-password-1');
    const member = new IcebergClient(p, login.body.access_token, 'wh');
    const r = await member.call('GET', '/v1/{prefix}/namespaces');
    expect(r.status).toBe(403);
    expect(r.body.error.type).toBe('ForbiddenException');
  });

  it('announces table changes as CloudEvents through the outbox, in order, each once', async () => {
    const seen: Array<{ type: string; subject: string | undefined; data: any }> = [];
    const transport = p.running.platform.inProcessTransport!;
    for (const type of ['io.lakeplane.catalog.table.created.v1', 'io.lakeplane.catalog.table.committed.v1', 'io.lakeplane.catalog.table.dropped.v1']) {
      transport.subscribe(type, async (e) => void seen.push({ type: e.type, subject: e.subject, data: e.data }));
    }
    await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['evt'] });
    const created = await createTable('evt', 't');
    const uuid = created.body.metadata['table-uuid'];
    const committed = await ice.call('POST', '/v1/{prefix}/namespaces/evt/tables/t', {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { a: 'b' } }],
    });
    await ice.call('DELETE', '/v1/{prefix}/namespaces/evt/tables/t');
    const mine = await waitFor('three table events', () => {
      const m = seen.filter((e) => e.subject === `catalog/wh/tables/${uuid}`);
      return m.length >= 3 ? m : undefined;
    });
    expect(mine.map((e) => e.type)).toEqual([
      'io.lakeplane.catalog.table.created.v1',
      'io.lakeplane.catalog.table.committed.v1',
      'io.lakeplane.catalog.table.dropped.v1',
    ]);
    expect(mine[1]!.data).toMatchObject({
      warehouse: 'wh',
      namespace: ['evt'],
      name: 't',
      uuid,
      metadataLocation: committed.body['metadata-location'],
      previousMetadataLocation: created.body['metadata-location'],
      updates: ['set-properties'],
    });
    expect(mine[2]!.data).toMatchObject({ purged: false });
    const dir = readdirSync(new URL(created.body.metadata.location + '/metadata'));
    expect(dir.filter((f) => f.endsWith('.metadata.json'))).toHaveLength(2);
  });
});
