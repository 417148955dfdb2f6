import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openMetadataStore, textArray, type MetadataStore } from '../../shared/db/index.js';
import { createTableUpdates } from '../../functions/catalog/domain/new-table.js';
import { searchTerms } from '../../functions/catalog/domain/search-query.js';
import { TableMetadataBuilder } from '../../functions/catalog/domain/table-metadata-builder.js';
import { metadataText } from '../../functions/catalog/handlers/table-files.js';
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
    await store.db
      .insertInto('warehouses')
      .values({
        id: warehouseId,
        name: 'wh',
        storage_location: 'file:///wh',
        storage: '{}',
        credential_vending: 'none',
        properties: '{}',
        updated_at: new Date(),
      })
      .execute();
    await store.db
      .insertInto('namespaces')
      .values({
        id: namespaceId,
        warehouse_id: warehouseId,
        levels: textArray(['ns']),
        parent: textArray([]),
        leaf: 'ns',
        properties: '{}',
        updated_at: new Date(),
      })
      .execute();
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  async function insertObject(kind: 'table' | 'view', name: string, metadata: string) {
    const id = randomUUID();
    await store.db
      .insertInto('catalog_objects')
      .values({
        id,
        warehouse_id: warehouseId,
        namespace_id: namespaceId,
        name,
        kind,
        metadata_location: `file:///wh/${name}.json`,
        metadata,
        updated_at: new Date(),
      })
      .execute();
    return id;
  }
  const columnsOf = async (id: string) =>
    await store.db
      .selectFrom('catalog_columns')
      .select(['path', 'field_id', 'type', 'required', 'doc'])
      .where('object_id', '=', id)
      .orderBy('ordinal')
      .execute();

  it('split text into the words a query is split into', async () => {
    for (const text of [
      'customer_id',
      'customerId',
      'sales.orders',
      'e-mail',
      'v2Table',
      'Café crème',
      'a/b\\c',
      'HTTPServer',
      'total€amount',
      'x  y\tz',
      "o'brien",
    ]) {
      const r = await sql<{ words: string[] }>`select array(select lexeme from unnest(to_tsvector('simple', catalog_search_words(${text})))) as words`.execute(
        store.db,
      );
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
        {
          id: 4,
          name: 'events',
          required: false,
          type: {
            type: 'list',
            'element-id': 5,
            'element-required': true,
            element: { type: 'struct', fields: [{ id: 6, name: 'at', required: false, type: 'timestamptz' }] },
          },
        },
        {
          id: 7,
          name: 'props',
          required: false,
          type: {
            type: 'map',
            'key-id': 8,
            key: 'string',
            'value-id': 9,
            'value-required': false,
            value: { type: 'struct', fields: [{ id: 10, name: 'v', required: false, type: 'string' }] },
          },
        },
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
    const view = await insertObject(
      'view',
      'vw',
      JSON.stringify({
        'current-version-id': 2,
        versions: [
          { 'version-id': 1, 'schema-id': 1 },
          { 'version-id': 2, 'schema-id': 0 },
        ],
        schemas: [nested, old],
      }),
    );
    expect((await columnsOf(view)).map((c) => c.path)).toEqual(['gone']);
    const doc = await store.db.selectFrom('catalog_objects').select('search_document').where('id', '=', v2).executeTakeFirstOrThrow();
    expect(doc.search_document).toContain("'at'");
    expect(doc.search_document).not.toContain("'gone'");
  });

  it('never fail a catalog write over metadata it cannot read, and catch up on the next good one', async () => {
    const id = await insertObject('table', 'broken', 'this is not json');
    expect(await columnsOf(id)).toEqual([]);
    // jsonb refuses \u0000, which JSON allows: the write still goes through.
    await store.db
      .updateTable('catalog_objects')
      .set({ metadata: '{"current-schema-id": 0, "schemas": [{"schema-id": 0, "fields": [{"id": 1, "name": "a\\u0000b", "type": "string"}]}]}' })
      .where('id', '=', id)
      .execute();
    await store.db
      .updateTable('catalog_objects')
      .set({ metadata: '{"current-schema-id": 0, "schemas": [{"schema-id": 0, "fields": [{"id": "x", "name": "bad id", "type": "string"}]}]}' })
      .where('id', '=', id)
      .execute();
    expect(await columnsOf(id)).toEqual([]);
    await store.db
      .updateTable('catalog_objects')
      .set({
        metadata: JSON.stringify({
          'current-schema-id': 0,
          schemas: [{ 'schema-id': 0, fields: [{ id: 1, name: 'fixed', required: false, type: 'string' }] }],
        }),
      })
      .where('id', '=', id)
      .execute();
    expect((await columnsOf(id)).map((c) => c.path)).toEqual(['fixed']);
    const doc = await store.db.selectFrom('catalog_objects').select('search_document').where('id', '=', id).executeTakeFirstOrThrow();
    expect(doc.search_document).toContain("'fixed'");
  });

  it('find the current schema from the head of a stored table text, and parse the whole text when the head will not do', async () => {
    const schema = {
      type: 'struct' as const,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 'name', required: false, type: 'string', doc: 'a ,"partition-spec": doc' },
      ],
    };
    const texts: Record<string, string> = {};
    for (const version of ['1', '2', '3']) {
      let m = new TableMetadataBuilder(null, 1)
        .applyAll(createTableUpdates({ name: 't', schema, properties: { 'format-version': version } }, randomUUID(), 'file:///wh/t'))
        .build(null);
      // A second schema made current, and snapshots after it, as a table's life goes.
      m = new TableMetadataBuilder(m, 2)
        .applyAll([
          { action: 'add-schema', schema: { type: 'struct', fields: [...m.schemas[0]!.fields, { id: 3, name: 'added', required: false, type: 'string' }] } },
          { action: 'set-current-schema', 'schema-id': -1 },
        ])
        .build('file:///wh/t/m0');
      for (let i = 1; i <= 20; i++) {
        const snapshot = {
          'snapshot-id': 9_000_000_000_000_000_000n + BigInt(i),
          'sequence-number': i,
          'timestamp-ms': i,
          'manifest-list': `file:///wh/t/s${i}.avro`,
          summary: { operation: 'append' as const },
          ...(version === '3' ? { 'first-row-id': i * 10, 'added-rows': 10 } : {}),
        };
        m = new TableMetadataBuilder(m, 2 + i).apply({ action: 'add-snapshot', snapshot }).build(`file:///wh/t/m${i}`);
      }
      texts[`canonical v${version}`] = metadataText(m);
    }
    const fields = (extra: Record<string, unknown> = {}) => [{ id: 1, name: 'x', required: false, type: 'string', ...extra }];
    // A default value may be any JSON a client sent: a "partition-spec" key in it cuts the head in the wrong place.
    texts['odd default'] = JSON.stringify({
      'format-version': 3,
      'current-schema-id': 0,
      schemas: [{ 'schema-id': 0, fields: fields({ 'initial-default': { a: 1, 'partition-spec': 2 } }) }],
      'partition-specs': [],
    });
    // Another field order: the head holds no current-schema-id.
    texts['other order'] = JSON.stringify({
      'format-version': 2,
      'partition-specs': [],
      'current-schema-id': 0,
      schemas: [{ 'schema-id': 0, fields: fields() }],
    });
    for (const [what, text] of Object.entries(texts)) {
      const r = await sql<{
        head: unknown;
        whole: unknown;
        names: string | null;
        parsed_whole: boolean;
      }>`select catalog_current_schema('table', catalog_metadata_head('table', ${text})) as head,
        catalog_current_schema('table', ${text}::jsonb) as whole, catalog_column_names('table', ${text}) as names,
        catalog_metadata_head('table', ${text}) ? 'partition-specs' as parsed_whole`.execute(store.db);
      const row = r.rows[0]!;
      expect(row.parsed_whole, what).toBe(!what.startsWith('canonical'));
      expect(row.whole, what).toBeTruthy();
      expect(row.head, what).toEqual(row.whole);
      expect(row.names, what).toContain(what.startsWith('canonical') ? '"added"' : '"x"');
      const id = await insertObject('table', `head ${what}`, text);
      expect(
        (await columnsOf(id)).map((c) => c.path),
        what,
      ).toEqual(what.startsWith('canonical') ? ['id', 'name', 'added'] : ['x']);
    }
  });

  it('rewrite column rows only when the current schema changed', async () => {
    const schema = { 'schema-id': 0, fields: [{ id: 1, name: 'a', required: false, type: 'string' }] };
    const id = await insertObject('table', 'stable', JSON.stringify({ 'current-schema-id': 0, schemas: [schema], snapshots: [] }));
    const ctid = async () =>
      (await sql<{ ctid: string }>`select ctid::text as ctid from catalog_columns where object_id = ${id}`.execute(store.db)).rows[0]!.ctid;
    const before = await ctid();
    await store.db
      .updateTable('catalog_objects')
      .set({ metadata: JSON.stringify({ 'current-schema-id': 0, schemas: [schema], snapshots: [{ 'snapshot-id': 1 }] }) })
      .where('id', '=', id)
      .execute();
    expect(await ctid()).toBe(before);
  });
});
