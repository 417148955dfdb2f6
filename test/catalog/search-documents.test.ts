import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openMetadataStore, textArray, type MetadataStore } from '../../shared/db/index.js';
import { searchTerms } from '../../functions/catalog/domain/search-query.js';
import { backends, createScratchDatabase } from '../support/databases.js';

/**
 * The SQL side of catalog search (migrations/0003), on each backend: documents split text exactly as queries are
 * split, the current schema is found for every metadata shape, and no metadata can make a catalog write fail.
 */
describe.each(backends())('search documents on %s', (backend) => {
  let store: MetadataStore;
  let drop: (() => Promise<void>) | undefined;
  let namespaceId: string;
  let warehouseId: string;

  beforeAll(async () => {
    if (backend === 'postgres') {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      store = await openMetadataStore({ databaseUrl: scratch.url });
    } else {
      store = await openMetadataStore({ dataDir: 'memory://' });
    }
    await migrateToLatest(store.db);
    warehouseId = randomUUID();
    namespaceId = randomUUID();
    await store.db.insertInto('warehouses').values({ id: warehouseId, name: 'wh', storage_location: 'file:///wh', storage: '{}', credential_vending: 'none', properties: '{}', updated_at: new Date() }).execute();
    await store.db.insertInto('namespaces').values({ id: namespaceId, warehouse_id: warehouseId, levels: textArray(['ns']), parent: textArray([]), leaf: 'ns', properties: '{}', updated_at: new Date() }).execute();
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  async function insertObject(kind: 'table' | 'view', name: string, metadata: string) {
    const id = randomUUID();
    await store.db.insertInto('catalog_objects').values({ id, warehouse_id: warehouseId, namespace_id: namespaceId, name, kind, metadata_location: `file:///wh/${name}.json`, metadata, updated_at: new Date() }).execute();
    return id;
  }
  const columnsOf = async (id: string) => (await store.db.selectFrom('catalog_columns').select(['path', 'field_id', 'type', 'required', 'doc']).where('object_id', '=', id).orderBy('ordinal').execute());

  it('split text into the words a query is split into', async () => {
    for (const text of ['customer_id', 'customerId', 'sales.orders', 'e-mail', 'v2Table', 'Café crème', 'a/b\\c', 'HTTPServer', 'total€amount', 'x  y\tz', "o'brien"]) {
      const r = await sql<{ words: string[] }>`select array(select lexeme from unnest(to_tsvector('simple', catalog_search_words(${text})))) as words`.execute(store.db);
      expect([...r.rows[0]!.words].sort(), text).toEqual([...searchTerms(text)].sort());
    }
  });

  it('list the columns of the current schema, nested ones by full name, for tables of either format and views', async () => {
    const nested = {
      type: 'struct',
      'schema-id': 1,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long', doc: 'key' },
        { id: 2, name: 'point', required: false, type: { type: 'struct', fields: [{ id: 3, name: 'x', required: true, type: 'double' }] } },
        { id: 4, name: 'events', required: false, type: { type: 'list', 'element-id': 5, 'element-required': true, element: { type: 'struct', fields: [{ id: 6, name: 'at', required: false, type: 'timestamptz' }] } } },
        { id: 7, name: 'props', required: false, type: { type: 'map', 'key-id': 8, key: 'string', 'value-id': 9, 'value-required': false, value: { type: 'struct', fields: [{ id: 10, name: 'v', required: false, type: 'string' }] } } },
      ],
    };
    const old = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'gone', required: true, type: 'long' }] };
    const v2 = await insertObject('table', 'v2', JSON.stringify({ 'format-version': 2, 'current-schema-id': 1, schemas: [old, nested] }));
    expect(await columnsOf(v2)).toEqual([
      { path: 'id', field_id: 1, type: 'long', required: true, doc: 'key' },
      { path: 'point', field_id: 2, type: 'struct', required: false, doc: null },
      { path: 'point.x', field_id: 3, type: 'double', required: true, doc: null },
      { path: 'events', field_id: 4, type: 'list', required: false, doc: null },
      { path: 'events.element.at', field_id: 6, type: 'timestamptz', required: false, doc: null },
      { path: 'props', field_id: 7, type: 'map', required: false, doc: null },
      { path: 'props.value.v', field_id: 10, type: 'string', required: false, doc: null },
    ]);
    const v1 = await insertObject('table', 'v1', JSON.stringify({ 'format-version': 1, schema: old }));
    expect((await columnsOf(v1)).map((c) => c.path)).toEqual(['gone']);
    const view = await insertObject('view', 'vw', JSON.stringify({ 'current-version-id': 2, versions: [{ 'version-id': 1, 'schema-id': 1 }, { 'version-id': 2, 'schema-id': 0 }], schemas: [nested, old] }));
    expect((await columnsOf(view)).map((c) => c.path)).toEqual(['gone']);
    const doc = await store.db.selectFrom('catalog_objects').select('search_document').where('id', '=', v2).executeTakeFirstOrThrow();
    expect(doc.search_document).toContain("'at'");
    expect(doc.search_document).not.toContain("'gone'");
  });

  it('never fail a catalog write over metadata it cannot read, and catch up on the next good one', async () => {
    const id = await insertObject('table', 'broken', 'this is not json');
    expect(await columnsOf(id)).toEqual([]);
    // jsonb refuses \u0000, which JSON allows: the write still goes through.
    await store.db.updateTable('catalog_objects').set({ metadata: '{"current-schema-id": 0, "schemas": [{"schema-id": 0, "fields": [{"id": 1, "name": "a\\u0000b", "type": "string"}]}]}' }).where('id', '=', id).execute();
    await store.db.updateTable('catalog_objects').set({ metadata: '{"current-schema-id": 0, "schemas": [{"schema-id": 0, "fields": [{"id": "x", "name": "bad id", "type": "string"}]}]}' }).where('id', '=', id).execute();
    expect(await columnsOf(id)).toEqual([]);
    await store.db.updateTable('catalog_objects').set({ metadata: JSON.stringify({ 'current-schema-id': 0, schemas: [{ 'schema-id': 0, fields: [{ id: 1, name: 'fixed', required: false, type: 'string' }] }] }) }).where('id', '=', id).execute();
    expect((await columnsOf(id)).map((c) => c.path)).toEqual(['fixed']);
    const doc = await store.db.selectFrom('catalog_objects').select('search_document').where('id', '=', id).executeTakeFirstOrThrow();
    expect(doc.search_document).toContain("'fixed'");
  });

  it('rewrite column rows only when the current schema changed', async () => {
    const schema = { 'schema-id': 0, fields: [{ id: 1, name: 'a', required: false, type: 'string' }] };
    const id = await insertObject('table', 'stable', JSON.stringify({ 'current-schema-id': 0, schemas: [schema], snapshots: [] }));
    const ctid = async () => (await sql<{ ctid: string }>`select ctid::text as ctid from catalog_columns where object_id = ${id}`.execute(store.db)).rows[0]!.ctid;
    const before = await ctid();
    await store.db.updateTable('catalog_objects').set({ metadata: JSON.stringify({ 'current-schema-id': 0, schemas: [schema], snapshots: [{ 'snapshot-id': 1 }] }) }).where('id', '=', id).execute();
    expect(await ctid()).toBe(before);
  });
});
