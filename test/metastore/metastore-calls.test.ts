import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metastoreContext } from '../../functions/metastore/metastore-context.js';
import type { Partition, Table } from '../../functions/metastore/hms/structs.js';
import { backends } from '../support/databases.js';
import { readRequestBody, startHttpServer, type TestHttpServer } from '../support/http-server.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';
import { connectHms, HmsCallError, type HmsClient } from './support/hms-client.js';

/**
 * The metastore's calls as any HMS client makes them (a Thrift client speaking the same bytes as Hive's), on each
 * backend: bad input gets the client's own exception with a clear message and stores nothing; Iceberg tables of the
 * warehouse are listed as Iceberg's HiveCatalog lists them, and cannot be changed here; changes are announced with
 * the catalog's CloudEvents; a call the metastore does not serve gets a TApplicationException, not a hang.
 */
const parquet = (location?: string) => ({
  cols: [
    { name: 'id', type: 'int' },
    { name: 'amount', type: 'double' },
  ],
  ...(location ? { location } : {}),
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLib: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: new Map([['serialization.format', '1']]) },
});

function table(db: string, name: string, extra: Partial<Table> = {}): Table {
  return {
    dbName: db,
    tableName: name,
    tableType: 'MANAGED_TABLE',
    sd: parquet(),
    partitionKeys: [{ name: 'day', type: 'string' }],
    parameters: new Map(),
    ...extra,
  };
}

const partition = (db: string, tbl: string, values: string[], extra: Partial<Partition> = {}): Partition => ({ dbName: db, tableName: tbl, values, ...extra });

async function failure(p: Promise<unknown>): Promise<HmsCallError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HmsCallError) return err;
    throw err;
  }
  throw new Error('the call succeeded');
}

describe.each(backends())('metastore calls on %s', (backend) => {
  let p: TestPlatform;
  let hms: HmsClient;
  let admin: string;
  let scratch: string;
  let root: string;
  let sink: TestHttpServer;
  let port: number;
  const patOf = async (token: string) => {
    const r = await p.call('POST', '/api/v1/tokens', { token, body: { name: `metastore-${Math.random().toString(36).slice(2)}`, expiresInDays: 1 } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.token as string;
  };
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'lakeplane-metastore-calls-'));
    root = path.join(scratch, 'warehouse');
    mkdirSync(root);
    p = await startPlatform(backend, {
      env: { LAKEPLANE_METASTORE_PORT: '0', LAKEPLANE_WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', LAKEPLANE_WEBHOOK_POLL_MS: '100' },
    });
    admin = await p.adminToken();
    expect((await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } })).status).toBe(201);
    sink = await startHttpServer(async (req, res) => {
      const body = JSON.parse((await readRequestBody(req)).toString('utf8')) as { type: string; data: Record<string, unknown> };
      events.push({ type: body.type, data: body.data });
      res.writeHead(204).end();
    });
    const sub = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'catalog', url: sink.url, eventTypes: ['io.lakeplane.catalog.*'] } });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    port = p.running.platform.contextOf(metastoreContext).thrift!.port;
    hms = await connectHms(port);
    expect(await hms.call('set_ugi', { user_name: await patOf(admin), group_names: ['staff'] })).toEqual(['staff', 'admin']);
    await hms.call('create_database', { database: { name: 'sales', description: 'orders' } });
  }, 60_000);
  afterAll(async () => {
    hms?.close();
    await sink?.close();
    await p?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('makes databases namespaces of the warehouse, read the same through the Iceberg catalog', async () => {
    const db = await hms.call('get_database', { name: 'SALES' });
    expect(db).toMatchObject({ name: 'sales', description: 'orders', locationUri: `${pathToFileURL(root).href}/sales` });
    const ns = await p.call('GET', '/iceberg/v1/wh/namespaces/sales', { token: admin });
    expect(ns.status).toBe(200);
    expect(ns.body.properties).toMatchObject({ comment: 'orders', location: `${pathToFileURL(root).href}/sales` });
    expect(await hms.call('get_all_databases', {})).toEqual(['sales']);
    expect(existsSync(path.join(root, 'sales'))).toBe(true);
  });

  it('answers bad input with the exception Hive answers, and stores nothing', async () => {
    expect(await failure(hms.call('get_database', { name: 'nope' }))).toMatchObject({
      exception: 'NoSuchObjectException',
      detail: 'There is no database named nope',
    });
    expect(await failure(hms.call('create_table', { tbl: table('nope', 't') }))).toMatchObject({ exception: 'NoSuchObjectException' });
    expect(await failure(hms.call('create_table', { tbl: table('sales', 'bad-name') }))).toMatchObject({
      exception: 'InvalidObjectException',
      detail: 'bad-name is not a valid object name',
    });
    const outside = await failure(
      hms.call('create_table', { tbl: table('sales', 'elsewhere', { sd: parquet(pathToFileURL(path.join(scratch, 'other')).href) }) }),
    );
    expect(outside.exception).toBe('MetaException');
    expect(outside.detail).toMatch(/table location file:.*\/other is outside warehouse wh/);
    expect(await failure(hms.call('get_table', { dbname: 'sales', tbl_name: 'elsewhere' }))).toMatchObject({ exception: 'NoSuchObjectException' });

    await hms.call('create_table', { tbl: table('sales', 'orders') });
    expect(await failure(hms.call('create_table', { tbl: table('sales', 'orders') }))).toMatchObject({
      exception: 'AlreadyExistsException',
      detail: 'Table orders already exists',
    });
    const mismatch = await failure(hms.call('add_partitions', { new_parts: [partition('sales', 'orders', ['2026-01-01', 'extra'])] }));
    expect(mismatch).toMatchObject({ exception: 'MetaException', detail: 'Invalid partition key & values; keys [day, ], values [2026-01-01, extra, ]' });
    // All or nothing: one bad partition keeps the good one out too.
    const half = await failure(
      hms.call('add_partitions', {
        new_parts: [partition('sales', 'orders', ['2026-01-01']), partition('sales', 'orders', ['2026-01-02'], { sd: parquet('s3://elsewhere/x') })],
      }),
    );
    expect(half.exception).toBe('MetaException');
    expect(await hms.call('get_partition_names', { db_name: 'sales', tbl_name: 'orders', max_parts: -1 })).toEqual([]);
    const filter = await failure(hms.call('get_partitions_by_filter', { db_name: 'sales', tbl_name: 'orders', filter: 'day = ', max_parts: -1 }));
    expect(filter.exception).toBe('MetaException');
    expect(filter.detail).toMatch(/Error parsing partition filter/);
    const unknownKey = await failure(hms.call('get_partitions_by_filter', { db_name: 'sales', tbl_name: 'orders', filter: "region = 'eu'", max_parts: -1 }));
    expect(unknownKey.detail).toMatch(/region/);
  });

  it('adds, finds, filters, alters and drops partitions, with Hive names and default locations', async () => {
    await hms.call('create_table', {
      tbl: table('sales', 'visits', {
        partitionKeys: [
          { name: 'day', type: 'string' },
          { name: 'hour', type: 'int' },
        ],
      }),
    });
    const parts = ['01', '02'].flatMap((d) => [3, 12].map((h) => partition('sales', 'visits', [`2026-01-${d}`, String(h)])));
    expect(await hms.call('add_partitions', { new_parts: parts })).toBe(4);
    const dup = await failure(hms.call('add_partitions', { new_parts: [parts[0]!] }));
    expect(dup.exception).toBe('AlreadyExistsException');
    const again = await hms.call('add_partitions_req', {
      request: {
        dbName: 'sales',
        tblName: 'visits',
        parts: [parts[0]!, partition('sales', 'visits', ['2026-01-03', '1'])],
        ifNotExists: true,
        needResult: true,
      },
    });
    expect(again.partitions?.map((x) => x.values)).toEqual([['2026-01-03', '1']]);
    expect(await hms.call('get_partition_names', { db_name: 'sales', tbl_name: 'visits', max_parts: -1 })).toEqual([
      'day=2026-01-01/hour=12',
      'day=2026-01-01/hour=3',
      'day=2026-01-02/hour=12',
      'day=2026-01-02/hour=3',
      'day=2026-01-03/hour=1',
    ]);
    const one = await hms.call('get_partition', { db_name: 'sales', tbl_name: 'visits', part_vals: ['2026-01-02', '3'] });
    expect(one.sd?.location).toBe(`${pathToFileURL(root).href}/sales/visits/day=2026-01-02/hour=3`);
    expect(existsSync(path.join(root, 'sales', 'visits', 'day=2026-01-02', 'hour=3'))).toBe(true);
    const filtered = await hms.call('get_partitions_by_filter', {
      db_name: 'sales',
      tbl_name: 'visits',
      filter: 'day >= "2026-01-02" and hour > 5',
      max_parts: -1,
    });
    expect(filtered.map((x) => x.values)).toEqual([['2026-01-02', '12']]);
    const bySpec = await hms.call('get_partitions_ps', { db_name: 'sales', tbl_name: 'visits', part_vals: ['2026-01-01'], max_parts: -1 });
    expect(bySpec.map((x) => x.values)).toEqual([
      ['2026-01-01', '12'],
      ['2026-01-01', '3'],
    ]);
    await hms.call('alter_partition', {
      db_name: 'sales',
      tbl_name: 'visits',
      new_part: { ...one, parameters: new Map([['numRows', '42']]) },
    });
    const altered = await hms.call('get_partition_by_name', { db_name: 'sales', tbl_name: 'visits', part_name: 'day=2026-01-02/hour=3' });
    expect(altered.parameters?.get('numRows')).toBe('42');
    expect(await hms.call('drop_partition', { db_name: 'sales', tbl_name: 'visits', part_vals: ['2026-01-02', '3'], deleteData: true })).toBe(true);
    expect(existsSync(path.join(root, 'sales', 'visits', 'day=2026-01-02', 'hour=3'))).toBe(false);
    expect(await failure(hms.call('drop_partition', { db_name: 'sales', tbl_name: 'visits', part_vals: ['2026-01-02', '3'], deleteData: true }))).toMatchObject(
      {
        exception: 'NoSuchObjectException',
      },
    );
  });

  it('keeps column statistics per table and per partition', async () => {
    const stats = (part?: string) => ({
      statsDesc: { isTblLevel: part === undefined, dbName: 'sales', tableName: 'visits', ...(part ? { partName: part } : {}), lastAnalyzed: 1767225600n },
      statsObj: [{ colName: 'id', colType: 'int', statsData: { longStats: { lowValue: 1n, highValue: 9007199254740993n, numNulls: 0n, numDVs: 3n } } }],
    });
    expect(await hms.call('update_table_column_statistics', { stats_obj: stats() })).toBe(true);
    expect(await hms.call('update_partition_column_statistics', { stats_obj: stats('day=2026-01-01/hour=3') })).toBe(true);
    const table = await hms.call('get_table_statistics_req', { request: { dbName: 'sales', tblName: 'visits', colNames: ['id', 'amount'] } });
    expect(table.tableStats).toEqual([
      { colName: 'id', colType: 'int', statsData: { longStats: { lowValue: 1n, highValue: 9007199254740993n, numNulls: 0n, numDVs: 3n } } },
    ]);
    const parts = await hms.call('get_partitions_statistics_req', {
      request: { dbName: 'sales', tblName: 'visits', colNames: ['id'], partNames: ['day=2026-01-01/hour=3', 'day=2026-01-01/hour=12'] },
    });
    expect([...parts.partStats.keys()]).toEqual(['day=2026-01-01/hour=3']);
    expect(await failure(hms.call('update_partition_column_statistics', { stats_obj: stats('day=2099-01-01/hour=1') }))).toMatchObject({
      exception: 'NoSuchObjectException',
    });
    expect(await hms.call('delete_table_column_statistics', { db_name: 'sales', tbl_name: 'visits', col_name: 'id' })).toBe(true);
    expect(await failure(hms.call('get_table_column_statistics', { db_name: 'sales', tbl_name: 'visits', col_name: 'id' }))).toMatchObject({
      exception: 'NoSuchObjectException',
    });
  });

  it("lists the warehouse's Iceberg tables as Iceberg tables, and leaves their changes to the Iceberg catalog", async () => {
    const created = await p.call('POST', '/iceberg/v1/wh/namespaces/sales/tables', {
      token: admin,
      body: { name: 'events', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', type: 'long', required: false }] } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(await hms.call('get_tables', { db_name: 'sales', pattern: '*' })).toEqual(['events', 'orders', 'visits']);
    const iceberg = await hms.call('get_table', { dbname: 'sales', tbl_name: 'events' });
    expect(iceberg.tableType).toBe('EXTERNAL_TABLE');
    expect(iceberg.parameters?.get('table_type')).toBe('ICEBERG');
    expect(iceberg.parameters?.get('metadata_location')).toBe(created.body['metadata-location']);
    expect(iceberg.sd?.cols).toEqual([{ name: 'n', type: 'bigint' }]);
    const moved = await failure(
      hms.call('alter_table', {
        dbname: 'sales',
        tbl_name: 'events',
        new_tbl: { ...iceberg, parameters: new Map([...iceberg.parameters!, ['metadata_location', 's3://elsewhere/metadata.json']]) },
      }),
    );
    expect(moved).toMatchObject({ exception: 'InvalidOperationException' });
    expect(moved.detail).toMatch(/Iceberg REST catalog/);
    expect(await failure(hms.call('drop_table', { dbname: 'sales', name: 'events', deleteData: true }))).toMatchObject({ exception: 'MetaException' });
    const asHive = await failure(hms.call('create_table', { tbl: table('sales', 'sneaky', { parameters: new Map([['table_type', 'ICEBERG']]) }) }));
    expect(asHive.detail).toMatch(/Iceberg REST catalog/);
    // And the Iceberg catalog keeps the Hive table's name taken.
    const clash = await p.call('POST', '/iceberg/v1/wh/namespaces/sales/tables', {
      token: admin,
      body: { name: 'orders', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', type: 'long', required: false }] } },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toMatch(/Hive metastore table with same name already exists/);
  });

  it('lets a connection that did not authenticate list, read and change nothing', async () => {
    const anonymous = await connectHms(port);
    try {
      const refused = (e: HmsCallError) =>
        expect(e).toMatchObject({ exception: 'MetaException', detail: expect.stringMatching(/^not authenticated: .*HADOOP_USER_NAME/) });
      refused(await failure(anonymous.call('get_all_databases', {})));
      refused(await failure(anonymous.call('get_table', { dbname: 'sales', tbl_name: 'orders' })));
      refused(await failure(anonymous.call('get_partition_names', { db_name: 'sales', tbl_name: 'visits', max_parts: -1 })));
      refused(await failure(anonymous.call('create_database', { database: { name: 'intruder' } })));
      refused(await failure(anonymous.call('drop_table', { dbname: 'sales', name: 'orders', deleteData: true })));
      // Hive in non-secure mode believes any name; this one believes credentials only.
      const root = await failure(anonymous.call('set_ugi', { user_name: 'root', group_names: [] }));
      expect(root.exception).toBe('MetaException');
      expect(root.detail).toMatch(/^not authenticated: /);
      refused(await failure(anonymous.call('get_database', { name: 'sales' })));
    } finally {
      anonymous.close();
    }
    expect(await hms.call('get_all_databases', {})).toEqual(['sales']);
    expect(await hms.call('get_table', { dbname: 'sales', tbl_name: 'orders' })).toMatchObject({ tableName: 'orders' });
  });

  it('shows and allows what the data access policies grant, as the Iceberg catalog does', async () => {
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'ana', password: 'ana-password-123' } })).status).toBe(201);
    const ana = await connectHms(port);
    try {
      await ana.call('set_ugi', { user_name: await patOf((await p.login('ana', 'ana-password-123')).body.access_token), group_names: [] });
      expect(await ana.call('get_all_databases', {})).toEqual([]);
      const policy = await p.call('POST', '/api/v1/policies', {
        token: admin,
        body: {
          name: 'ana reads orders',
          resources: { warehouse: { values: ['wh'] }, namespace: { values: ['sales'] }, table: { values: ['orders'] } },
          allow: [{ users: ['ana'], accesses: ['select'] }],
        },
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(201);
      expect(await ana.call('get_all_databases', {})).toEqual(['sales']);
      expect(await ana.call('get_tables', { db_name: 'sales', pattern: '*' })).toEqual(['orders']);
      expect(await ana.call('get_table', { dbname: 'sales', tbl_name: 'orders' })).toMatchObject({ tableName: 'orders' });
      const hidden = await failure(ana.call('get_table', { dbname: 'sales', tbl_name: 'visits' }));
      expect(hidden.exception).toBe('MetaException');
      expect(hidden.detail).toMatch(/ana may not select wh\.sales\.visits/);
      expect((await failure(ana.call('drop_table', { dbname: 'sales', name: 'orders', deleteData: true }))).detail).toMatch(/ana may not drop/);
      expect((await failure(ana.call('create_table', { tbl: table('sales', 'mine') }))).detail).toMatch(/ana may not create/);
      expect((await failure(ana.call('add_partitions', { new_parts: [partition('sales', 'orders', ['2026-02-01'])] }))).detail).toMatch(/ana may not insert/);
      expect(await hms.call('get_partition_names', { db_name: 'sales', tbl_name: 'orders', max_parts: -1 })).toEqual([]);
    } finally {
      ana.close();
    }
  });

  it('announces changes with the catalog CloudEvents, format hive', async () => {
    const seen = await waitFor(
      'the metastore events',
      () => {
        const hive = events.filter((e) => e.data['format'] === 'hive');
        return hive.some((e) => e.type === 'io.lakeplane.catalog.table.committed.v1' && (e.data['partitions'] as { dropped?: string[] } | undefined)?.dropped)
          ? hive
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(seen.find((e) => e.type === 'io.lakeplane.catalog.table.created.v1' && e.data['name'] === 'orders')?.data).toMatchObject({
      warehouse: 'wh',
      namespace: ['sales'],
      metadataLocation: `${pathToFileURL(root).href}/sales/orders`,
    });
    const added = seen.find((e) => (e.data['partitions'] as { added?: string[] } | undefined)?.added?.length === 4);
    expect(added?.data).toMatchObject({ name: 'visits', updates: ['add-partitions'] });
    expect(events.some((e) => e.type === 'io.lakeplane.catalog.namespace.created.v1' && JSON.stringify(e.data['namespace']) === '["sales"]')).toBe(true);
  });

  it('answers a call it does not serve with a TApplicationException naming it, and keeps serving the connection', async () => {
    const r = await hms.raw('create_function');
    expect(r.type).toBe(3);
    expect(r.body.toString('latin1')).toMatch(/does not serve create_function/);
    expect(await hms.call('get_all_databases', {})).toEqual(['sales']);
  });

  it("renames a managed table with its folder, drops it with its files, and a database's drop cascades", async () => {
    await hms.call('create_table', { tbl: table('sales', 'tmp', { partitionKeys: [] }) });
    const t = await hms.call('get_table', { dbname: 'sales', tbl_name: 'tmp' });
    await hms.call('alter_table', { dbname: 'sales', tbl_name: 'tmp', new_tbl: { ...t, tableName: 'tmp2' } });
    expect(existsSync(path.join(root, 'sales', 'tmp'))).toBe(false);
    expect(existsSync(path.join(root, 'sales', 'tmp2'))).toBe(true);
    expect((await hms.call('get_table', { dbname: 'sales', tbl_name: 'tmp2' })).sd?.location).toBe(`${pathToFileURL(root).href}/sales/tmp2`);
    const notEmpty = await failure(hms.call('drop_database', { name: 'sales', deleteData: true, cascade: true }));
    expect(notEmpty).toMatchObject({ exception: 'InvalidOperationException' });
    expect(notEmpty.detail).toMatch(/Iceberg table events/);
    expect((await p.call('DELETE', '/iceberg/v1/wh/namespaces/sales/tables/events', { token: admin })).status).toBe(204);
    await hms.call('drop_database', { name: 'sales', deleteData: true, cascade: true });
    expect(existsSync(path.join(root, 'sales'))).toBe(false);
    expect(await hms.call('get_all_databases', {})).toEqual([]);
  });
});
