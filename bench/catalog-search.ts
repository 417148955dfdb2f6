// `node --import tsx bench/catalog-search.ts`: what catalog search (migrations/0003_catalog_discovery.ts) costs and
// what its alternatives would cost, on PGlite and, when DATABASE_URL names a server, on PostgreSQL (in a scratch
// database, dropped at the end). In-process, straight on the metadata store; a run takes 1-3 minutes.
//
//   commit cost   an UPDATE of catalog_objects.metadata as a commit writes it (append: same schema; schema change),
//                 migrated up to 0002 (no search) against migrated to the latest (generated document + column trigger)
//   search        the search the API runs (store/catalog-search.ts), against the alternatives measured to choose it:
//                 documents computed at query time, and columns found by expanding the matching tables' metadata
//
// Options: --tables=N [2000]  --columns=N [30]  --snapshots=N [20]  --repeats=N [5]  --no-postgres
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Migrator, sql, type Migration } from 'kysely';
import pg from 'pg';
import { planSearch } from '../functions/catalog/handlers/search/plan.js';
import { searchCatalog } from '../functions/catalog/store/catalog-search.js';
import { migrations } from '../migrations/index.js';
import { openMetadataStore, textArray, type MetadataStore } from '../shared/db/index.js';

const { values: argv } = parseArgs({
  options: {
    tables: { type: 'string', default: '2000' },
    columns: { type: 'string', default: '30' },
    snapshots: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '5' },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const TABLES = Number(argv.tables);
const COLUMNS = Number(argv.columns);
const SNAPSHOTS = Number(argv.snapshots);
const REPEATS = Number(argv.repeats);

const WORDS = [
  'customer',
  'order',
  'amount',
  'status',
  'created',
  'updated',
  'region',
  'country',
  'email',
  'phone',
  'product',
  'price',
  'quantity',
  'discount',
  'currency',
  'invoice',
  'payment',
  'shipment',
  'warehouse',
  'supplier',
];
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const word = () => WORDS[Math.floor(random() * WORDS.length)]! + (random() < 0.5 ? '' : String(Math.floor(random() * 1000)));

/** Table metadata as the catalog stores it: two schemas, snapshots with summaries. */
function metadata(i: number, schemaId = 1, extraColumns = 0): string {
  const fields = Array.from({ length: COLUMNS + extraColumns }, (_, j) => ({ id: j + 1, name: `${word()}_${word()}`, required: false, type: 'string' }));
  const snapshots = Array.from({ length: SNAPSHOTS }, (_, k) => ({
    'snapshot-id': 900719925474099300 + k,
    'sequence-number': k,
    'timestamp-ms': 1_700_000_000_000 + k,
    'manifest-list': `s3://bucket/wh/db/t${i}/metadata/snap-${k}-1-${randomUUID()}.avro`,
    summary: { operation: 'append', 'added-data-files': '3', 'added-records': '1000', 'total-records': String(k * 1000) },
    'schema-id': schemaId,
  }));
  return JSON.stringify({
    'format-version': 2,
    'table-uuid': randomUUID(),
    location: `s3://bucket/wh/db/t${i}`,
    'current-schema-id': schemaId,
    schemas: [
      { type: 'struct', 'schema-id': 0, fields: fields.slice(0, 10) },
      { type: 'struct', 'schema-id': schemaId, fields },
    ],
    properties: { 'write.format.default': 'parquet' },
    snapshots,
  });
}

async function migrateTo(store: MetadataStore, last: string): Promise<void> {
  const subset: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(migrations)) if (name <= last) subset[name] = m;
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => subset },
    migrationTableName: 'lakeplane_migrations',
    migrationLockTableName: 'lakeplane_migrations_lock',
  });
  const r = await migrator.migrateToLatest();
  if (r.error) throw r.error;
}

async function time<T>(repeats: number, f: () => Promise<T>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`;

interface Loaded {
  store: MetadataStore;
  ids: string[];
  insertMs: number;
}

async function load(open: () => Promise<MetadataStore>, last: string, texts: string[]): Promise<Loaded> {
  const store = await open();
  await migrateTo(store, last);
  const warehouseId = randomUUID();
  const namespaceId = randomUUID();
  await store.db
    .insertInto('warehouses')
    .values({
      id: warehouseId,
      name: 'wh',
      storage_location: 's3://bucket/wh',
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
      levels: textArray(['db']),
      parent: textArray([]),
      leaf: 'db',
      properties: '{}',
      updated_at: new Date(),
    })
    .execute();
  const ids: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i++) {
    const id = randomUUID();
    ids.push(id);
    await store.db
      .insertInto('catalog_objects')
      .values({
        id,
        warehouse_id: warehouseId,
        namespace_id: namespaceId,
        name: `${WORDS[i % WORDS.length]}_facts_${i}`,
        kind: 'table',
        metadata_location: `s3://bucket/wh/db/t${i}/metadata/00000.json`,
        metadata: texts[i]!,
        tags: ['bench'],
        updated_at: new Date(),
      })
      .execute();
  }
  await sql`analyze`.execute(store.db);
  return { store, ids, insertMs: (performance.now() - t0) / texts.length };
}

async function commitCosts(l: Loaded): Promise<{ append: number; schemaChange: number }> {
  const id = l.ids[7]!;
  const base = metadata(7);
  let n = 0;
  const append = await time(50, () =>
    l.store.db
      .updateTable('catalog_objects')
      .set({ metadata: base.replace('"parquet"', `"parquet${n++}"`) })
      .where('id', '=', id)
      .execute(),
  );
  const other = metadata(7, 2, 1);
  const schemaChange = await time(50, () =>
    l.store.db
      .updateTable('catalog_objects')
      .set({ metadata: n++ % 2 ? base : other })
      .where('id', '=', id)
      .execute(),
  );
  return { append, schemaChange };
}

async function bench(label: string, open: () => Promise<MetadataStore>, cleanup: () => Promise<void>): Promise<void> {
  seed = 42;
  const texts = Array.from({ length: TABLES }, (_, i) => metadata(i));
  console.log(`\n## ${label}: ${TABLES} tables of ${COLUMNS} columns, metadata ${Math.round(texts[0]!.length / 1024)} KB each\n`);
  const before = await load(open, '0002_catalog', texts);
  const beforeCommit = await commitCosts(before);
  await before.store.close();
  await cleanup();
  const after = await load(open, Object.keys(migrations).at(-1)!, texts);
  const afterCommit = await commitCosts(after);
  console.log('| write | without search (0002) | with search (0003) |\n| --- | --- | --- |');
  console.log(`| create table (insert) | ${ms(before.insertMs)} | ${ms(after.insertMs)} |`);
  console.log(`| commit, same schema | ${ms(beforeCommit.append)} | ${ms(afterCommit.append)} |`);
  console.log(`| commit, schema change | ${ms(beforeCommit.schemaChange)} | ${ms(afterCommit.schemaChange)} |`);

  const db = after.store.db;
  console.log(
    '\n| query | tables matching | columns matching | search (API, top 20) | documents at query time | columns by expanding metadata |\n| --- | --- | --- | --- | --- | --- |',
  );
  for (const q of ['cust', 'supplier12', 'email phone', 'zzz']) {
    const plan = planSearch({ q, pageSize: 20 });
    const text = plan.text!;
    const tables = (
      await sql<{ n: number }>`select count(*)::int as n from catalog_objects where search_document @@ to_tsquery('simple', ${text.all})`.execute(db)
    ).rows[0]!.n;
    const columns = (
      await sql<{ n: number }>`select count(*)::int as n from catalog_columns where search_document @@ to_tsquery('simple', ${text.all})`.execute(db)
    ).rows[0]!.n;
    const api = await time(REPEATS, () =>
      searchCatalog(db, { text, kinds: plan.kinds, warehouseId: undefined, namespace: undefined, tags: [], owner: undefined, after: undefined, limit: 21 }),
    );
    const queryTime = await time(Math.min(REPEATS, 2), () =>
      sql`select id from (select id, catalog_search_document(array[name], tags, description, catalog_column_names(kind, metadata)) as d from catalog_objects) s
           where d @@ to_tsquery('simple', ${text.all}) order by ts_rank(d, to_tsquery('simple', ${text.all})) desc limit 20`.execute(db),
    );
    const expand = await time(Math.min(REPEATS, 2), () =>
      sql`select o.id, c.path from catalog_objects o cross join lateral catalog_schema_columns(catalog_current_schema(o.kind, o.metadata::jsonb)) c
           where o.search_document @@ to_tsquery('simple', ${text.columns})
             and to_tsvector('simple', catalog_search_name(c.path)) @@ to_tsquery('simple', ${text.all})
           order by ts_rank(to_tsvector('simple', catalog_search_name(c.path)), to_tsquery('simple', ${text.all})) desc limit 20`.execute(db),
    );
    console.log(`| ${q} | ${tables} | ${columns} | ${ms(api)} | ${ms(queryTime)} | ${ms(expand)} |`);
  }
  await after.store.close();
  await cleanup();
}

await bench(
  'PGlite',
  () => openMetadataStore({ dataDir: 'memory://' }),
  async () => undefined,
);

const base = process.env['DATABASE_URL'];
if (base && !argv['no-postgres']) {
  const name = `lakeplane_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  const url = new URL(base);
  url.pathname = `/${name}`;
  await admin(`create database ${name}`);
  try {
    const version = await (async () => {
      const s = await openMetadataStore({ databaseUrl: url.toString() });
      const v = (await sql<{ server_version: string }>`show server_version`.execute(s.db)).rows[0]!.server_version;
      await s.close();
      return v;
    })();
    await bench(
      `PostgreSQL ${version}`,
      () => openMetadataStore({ databaseUrl: url.toString(), poolMax: 2 }),
      async () => {
        await admin(`drop database if exists ${name} with (force)`);
        await admin(`create database ${name}`);
      },
    );
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}
