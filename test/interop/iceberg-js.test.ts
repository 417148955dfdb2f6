import { existsSync } from 'node:fs';
import { IcebergError, IcebergRestCatalog, type TableSchema } from 'iceberg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startInteropCatalog, type InteropCatalog } from './interop.js';

/**
 * iceberg-js (npm, a devDependency), unchanged, against our catalog. It speaks the REST protocol only (no data
 * files) and has no OAuth2 flow of its own: it carries a bearer token, here a service account's from the platform's
 * token endpoint. Fast, so it runs on every backend.
 */
const SCHEMA: TableSchema = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'name', type: 'string', required: false },
    { id: 3, name: 'ts', type: 'timestamptz', required: false },
  ],
};

/** The IcebergError a call throws, to assert on its status and Iceberg type. */
async function icebergError(call: Promise<unknown>): Promise<IcebergError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof IcebergError) return err;
    throw err;
  }
  throw new Error('expected an IcebergError, the call succeeded');
}

describe.each(backends())('iceberg-js against the catalog on %s', (backend) => {
  let catalog: InteropCatalog;
  let js: IcebergRestCatalog;

  beforeAll(async () => {
    catalog = await startInteropCatalog(backend);
    const token = await catalog.serviceToken();
    js = new IcebergRestCatalog({ baseUrl: catalog.connection.uri, warehouse: 'wh', auth: { type: 'bearer', token } });
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('reads the config and takes the warehouse prefix from it', async () => {
    const config = await js.loadConfig();
    expect(config.overrides).toMatchObject({ prefix: 'wh' });
    expect(config.endpoints).toContain('POST /v1/{prefix}/namespaces/{namespace}/tables');
  });

  it('creates, lists, inspects and updates namespaces, nested ones too', async () => {
    expect((await js.listNamespaces()).namespaces).toEqual([]);
    const created = await js.createNamespace({ namespace: ['js'] }, { properties: { owner: 'js' } });
    // The catalog always shows where a namespace's tables go.
    expect(created).toEqual({ namespace: ['js'], properties: { owner: 'js', location: `${catalog.storageLocation}/js` } });
    await js.createNamespace({ namespace: ['js', 'nested'] });
    expect((await js.listNamespaces()).namespaces).toEqual([{ namespace: ['js'] }]);
    expect((await js.listNamespaces({ parent: { namespace: ['js'] } })).namespaces).toEqual([{ namespace: ['js', 'nested'] }]);
    expect(await js.namespaceExists({ namespace: ['js', 'nested'] })).toBe(true);
    expect(await js.namespaceExists({ namespace: ['nope'] })).toBe(false);
    expect(await js.loadNamespaceMetadata({ namespace: ['js'] })).toEqual({ properties: { owner: 'js', location: `${catalog.storageLocation}/js` } });
    const updated = await js.updateNamespaceProperties({ namespace: ['js'] }, { updates: { team: 'web' }, removals: ['owner'] });
    expect(updated).toMatchObject({ updated: ['team'], removed: ['owner'] });
    const dup = await icebergError(js.createNamespace({ namespace: ['js'] }));
    expect([dup.status, dup.icebergType]).toEqual([409, 'AlreadyExistsException']);
    expect(await js.createNamespaceIfNotExists({ namespace: ['js'] })).toBeUndefined();
  });

  it('creates a partitioned table, lists it and loads it, with an ETag for a conditional load', async () => {
    const metadata = await js.createTable(
      { namespace: ['js'] },
      {
        name: 'events',
        schema: SCHEMA,
        'partition-spec': { fields: [{ 'source-id': 3, name: 'ts_day', transform: 'day' }] },
        'write-order': { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
        properties: { 'created-by': 'iceberg-js' },
      },
    );
    expect(metadata['format-version']).toBe(2);
    expect(metadata.location?.startsWith(`file://${catalog.root}/js/events`)).toBe(true);
    expect(metadata['partition-specs']).toEqual([{ 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] }]);
    expect(metadata.properties).toMatchObject({ 'created-by': 'iceberg-js' });

    expect((await js.listTables({ namespace: ['js'] })).identifiers).toEqual([{ namespace: ['js'], name: 'events' }]);
    expect(await js.tableExists({ namespace: ['js'], name: 'events' })).toBe(true);
    const loaded = await js.loadTableResult({ namespace: ['js'], name: 'events' });
    expect(loaded?.metadata['table-uuid']).toBe(metadata['table-uuid']);
    expect(loaded?.['metadata-location']).toMatch(/\/metadata\/00000-.*\.metadata\.json$/);
    expect(existsSync(new URL(loaded!['metadata-location']!))).toBe(true);
    expect(loaded?.etag).toBeTruthy();
    expect(await js.loadTable({ namespace: ['js'], name: 'events' }, { ifNoneMatch: loaded!.etag! })).toBeNull();
    expect(await js.createTableIfNotExists({ namespace: ['js'] }, { name: 'events', schema: SCHEMA })).toMatchObject({ 'table-uuid': metadata['table-uuid'] });
  });

  it('commits a schema change with requirements, and a stale requirement is a 409 CommitFailedException', async () => {
    const id = { namespace: ['js'], name: 'events' };
    const before = (await js.loadTable(id))!;
    const current = before.schemas.find((s) => s['schema-id'] === before['current-schema-id'])!;
    const committed = await js.commitTable(id, {
      requirements: [
        { type: 'assert-table-uuid', uuid: before['table-uuid'] },
        { type: 'assert-current-schema-id', 'current-schema-id': before['current-schema-id'] },
      ],
      updates: [
        { action: 'add-schema', schema: { ...current, fields: [...current.fields, { id: 4, name: 'country', type: 'string', required: false }] } },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'set-properties', updates: { owner: 'web' } },
      ],
    });
    expect(committed['metadata-location']).toMatch(/\/metadata\/00001-/);
    expect(committed.metadata['current-schema-id']).toBe(1);
    expect(committed.metadata['last-column-id']).toBe(4);
    expect(committed.metadata.properties).toMatchObject({ owner: 'web' });

    const stale = await icebergError(
      js.updateTable(id, {
        requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }],
        updates: [{ action: 'set-properties', updates: { lost: 'yes' } }],
      }),
    );
    expect([stale.status, stale.icebergType]).toEqual([409, 'CommitFailedException']);
    expect(stale.message).toBe('Requirement failed: current schema changed: expected id 0 != 1');
  });

  it('renames and registers tables, and reports missing ones as 404 NoSuchTableException', async () => {
    await js.createTable({ namespace: ['js', 'nested'] }, { name: 'scratch', schema: SCHEMA });
    await js.renameTable({ source: { namespace: ['js', 'nested'], name: 'scratch' }, destination: { namespace: ['js'], name: 'scratch2' } });
    expect((await js.listTables({ namespace: ['js'] })).identifiers.map((t) => t.name).sort()).toEqual(['events', 'scratch2']);
    expect(await js.tableExists({ namespace: ['js', 'nested'], name: 'scratch' })).toBe(false);

    const missing = await icebergError(js.loadTable({ namespace: ['js'], name: 'ghost' }));
    expect([missing.status, missing.icebergType, missing.message]).toEqual([404, 'NoSuchTableException', 'Table does not exist: js.ghost']);

    // A dropped table's metadata file (kept without purge) registers again under a new name.
    const events = await js.loadTableResult({ namespace: ['js'], name: 'scratch2' });
    await js.dropTable({ namespace: ['js'], name: 'scratch2' });
    const registered = await js.registerTable({ namespace: ['js'] }, { name: 'revived', 'metadata-location': events!['metadata-location']! });
    expect(registered['table-uuid']).toBe(events!.metadata['table-uuid']);
  });

  it('drops tables (with and without purge) and then the namespaces', async () => {
    const kept = (await js.loadTableResult({ namespace: ['js'], name: 'revived' }))!;
    await js.dropTable({ namespace: ['js'], name: 'revived' }, { purge: false });
    expect(existsSync(new URL(kept['metadata-location']!))).toBe(true);
    const purged = (await js.loadTableResult({ namespace: ['js'], name: 'events' }))!;
    await js.dropTable({ namespace: ['js'], name: 'events' }, { purge: true });
    expect(existsSync(new URL(purged.metadata.location!))).toBe(false);
    expect((await js.listTables({ namespace: ['js'] })).identifiers).toEqual([]);

    const notEmpty = await icebergError(js.dropNamespace({ namespace: ['js'] }));
    expect([notEmpty.status, notEmpty.icebergType]).toEqual([409, 'NamespaceNotEmptyException']);
    await js.dropNamespace({ namespace: ['js', 'nested'] });
    await js.dropNamespace({ namespace: ['js'] });
    expect((await js.listNamespaces()).namespaces).toEqual([]);
  });
});
