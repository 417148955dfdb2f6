import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { sparkHomeOf, startThriftServer, type ThriftServer } from '../support/spark-thrift-server.js';
import { INSTALL_HINT, findIcebergSparkJar, findInteropPython, findSparkJava, startInteropCatalog, type InteropCatalog } from '../interop/interop.js';
import { insertLakehouse } from './lakehouse-rows.js';

/**
 * The statement API end to end against a real Spark 3.5 Thrift server reading and writing Iceberg tables of our own
 * catalog (warehouse wh as Spark catalog wh): DDL and DML through the API, a 100,000-row result paged in chunks in
 * each format, cancel, Spark's errors, a second process serving stored results, expiry.
 *
 * The Thrift server takes a minute to start on this machine, so the suite runs once: on PostgreSQL when DATABASE_URL
 * is set (CI; the second process needs a shared database), else on PGlite (without the second-process case).
 */
const python = findInteropPython(['pyspark']);
const jar = findIcebergSparkJar();
const java = findSparkJava();
const sparkHome = python.ok ? sparkHomeOf(python.value) : undefined;
const missing = [python, jar, java].filter((f) => !f.ok).map((f) => (f.ok ? '' : f.why));
if (python.ok && !sparkHome) missing.push(`no pyspark/bin/spark-submit beside ${python.value}`);
if (missing.length) missingPrerequisite('the SQL statement API suite against Spark', `${missing.join('; ')}; ${INSTALL_HINT}`);
const backend = backends().at(-1)!;
const API = '/api/v1/sql/statements';

describe.skipIf(missing.length > 0)(`SQL statements on a Spark Thrift server with our Iceberg catalog, on ${backend}`, () => {
  let catalog: InteropCatalog;
  let p: TestPlatform;
  let server: ThriftServer;
  let admin: string;
  let ada: string;
  const call = (method: string, url: string, body?: unknown, token = ada) => p.call(method, url, { token, ...(body !== undefined ? { body } : {}) });
  const run = async (statement: string, extra: Record<string, unknown> = {}, token = ada) => {
    const r = await call('POST', API, { statement, lakehouse: 'lh', wait_timeout: '50s', ...extra }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const raw = async (url: string, token = ada) => fetch(p.url + url, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    catalog = await startInteropCatalog(backend, { env: { LAKEPLANE_SQL_CHUNK_MAX_ROWS: '20000' } });
    p = catalog.platform;
    admin = await p.adminToken();
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'ada', password: 'ada-password-123' } })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
    server = await startThriftServer({ sparkHome: sparkHome!, icebergJar: jar.ok ? jar.value : '', catalogs: { wh: catalog.connection } });
    await insertLakehouse(p, { name: 'lh', state: 'RUNNING', hiveServer2: { host: server.host, port: server.port } });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await catalog?.close();
  }, 60_000);

  it("runs as the caller: the Spark session is the caller's", async () => {
    const r = await run('SELECT current_user() AS who, 1 + 1 AS two');
    expect(r.status).toEqual({ state: 'SUCCEEDED' });
    expect(r.manifest).toMatchObject({
      format: 'JSON_ARRAY',
      schema: {
        column_count: 2,
        columns: [
          { name: 'who', type_name: 'STRING', position: 0 },
          { name: 'two', type_name: 'INT', position: 1 },
        ],
      },
      total_row_count: 1,
      total_chunk_count: 1,
      truncated: false,
    });
    expect(r.result).toMatchObject({ chunk_index: 0, row_offset: 0, row_count: 1, data_array: [['ada', '2']] });
    // Sessions are kept per caller and never lent to another: alternating callers each see themselves.
    for (let i = 0; i < 3; i++) {
      expect((await run('SELECT current_user()', {}, admin)).result.data_array).toEqual([['admin']]);
      expect((await run('SELECT current_user()', {}, ada)).result.data_array).toEqual([['ada']]);
    }
  }, 120_000);

  it('creates an Iceberg table in our catalog, inserts with typed parameters, and reads it back in its catalog and schema', async () => {
    expect((await run('CREATE NAMESPACE IF NOT EXISTS wh.sqlapi')).status.state).toBe('SUCCEEDED');
    const created = await run('CREATE TABLE wh.sqlapi.people (id BIGINT, name STRING, score DECIMAL(10,2), born DATE, seen TIMESTAMP) USING iceberg');
    expect(created.status, JSON.stringify(created)).toEqual({ state: 'SUCCEEDED' });
    // The table is in our catalog: the Iceberg REST API loads it.
    const token = await catalog.serviceToken();
    const loaded = await p.call('GET', '/iceberg/v1/wh/namespaces/sqlapi/tables/people', { token });
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect(loaded.body.metadata.schemas[0].fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name', 'score', 'born', 'seen']);

    const insert = await run('INSERT INTO wh.sqlapi.people VALUES (:id, :name, :score, :born, :seen), (2, :other, NULL, NULL, NULL)', {
      parameters: [
        { name: 'id', value: '1', type: 'BIGINT' },
        { name: 'name', value: "O'Brien \\ '); DROP TABLE wh.sqlapi.people; --", type: 'STRING' },
        { name: 'score', value: '12.5', type: 'DECIMAL(10,2)' },
        { name: 'born', value: '2000-01-02', type: 'DATE' },
        { name: 'seen', value: '2024-05-06 07:08:09.123', type: 'TIMESTAMP' },
        { name: 'other', value: 'grace' },
      ],
    });
    expect(insert.status, JSON.stringify(insert)).toEqual({ state: 'SUCCEEDED' });
    const read = await run('SELECT * FROM people ORDER BY id', { catalog: 'wh', schema: 'sqlapi' });
    expect(read.status).toEqual({ state: 'SUCCEEDED' });
    expect(read.manifest.schema.columns.map((c: { type_text: string }) => c.type_text)).toEqual(['BIGINT', 'STRING', 'DECIMAL(10,2)', 'DATE', 'TIMESTAMP']);
    expect(read.result.data_array).toEqual([
      ['1', "O'Brien \\ '); DROP TABLE wh.sqlapi.people; --", '12.50', '2000-01-02', '2024-05-06 07:08:09.123'],
      ['2', 'grace', null, null, null],
    ]);
    const count = await run('SELECT count(*) FROM wh.sqlapi.people WHERE name = :n', { parameters: [{ name: 'n', value: 'grace' }] });
    expect(count.result.data_array).toEqual([['1']]);
  }, 300_000);

  it("a SQL error ends FAILED with Spark's message, error class and SQL state (not a 5xx); so does an unknown catalog", async () => {
    const missingTable = await run('SELECT * FROM wh.sqlapi.nope');
    expect(missingTable.status.state).toBe('FAILED');
    expect(missingTable.status.error).toMatchObject({
      error_code: 'TABLE_OR_VIEW_NOT_FOUND',
      sql_state: '42P01',
      message: expect.stringMatching(/^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `wh`\.`sqlapi`\.`nope` cannot be found/),
    });
    expect(missingTable.status.error.message).not.toMatch(/HiveSQLException|\tat org\./);
    const syntax = await run('SELEC 1');
    expect(syntax.status.error).toMatchObject({ error_code: 'PARSE_SYNTAX_ERROR', sql_state: '42601' });
    const noCatalog = await run('SELECT 1', { catalog: 'nowhere' });
    expect(noCatalog.status.state).toBe('FAILED');
    expect(noCatalog.status.error.message).toMatch(/nowhere/);
    // The history shows them.
    const failed = (await call('GET', '/api/v1/sql/history?state=FAILED')).body.items;
    expect(failed.map((h: { statement: string }) => h.statement)).toEqual(expect.arrayContaining(['SELECT * FROM wh.sqlapi.nope', 'SELEC 1']));
  }, 120_000);

  let big: string;
  const BIG = 'SELECT id, CAST(id * 7 AS STRING) AS label, id / 4 AS quarter FROM range(100000) ORDER BY id';

  it('pages a 100,000-row result in chunks as JSON_ARRAY', async () => {
    const r = await run(BIG);
    expect(r.status).toEqual({ state: 'SUCCEEDED' });
    big = r.statement_id;
    expect(r.manifest).toMatchObject({ total_row_count: 100000, total_chunk_count: 5, truncated: false });
    expect(r.manifest.chunks.map((c: { row_offset: number; row_count: number }) => [c.row_offset, c.row_count])).toEqual([
      [0, 20000],
      [20000, 20000],
      [40000, 20000],
      [60000, 20000],
      [80000, 20000],
    ]);
    expect(r.result).toMatchObject({ chunk_index: 0, row_count: 20000, next_chunk_index: 1, next_chunk_internal_link: `${API}/${big}/result/chunks/1` });
    let ids: number[] = r.result.data_array.map((row: string[]) => Number(row[0]));
    let link: string | undefined = r.result.next_chunk_internal_link;
    while (link) {
      const chunk = await call('GET', link);
      expect(chunk.status).toBe(200);
      ids = ids.concat(chunk.body.data_array.map((row: string[]) => Number(row[0])));
      link = chunk.body.next_chunk_internal_link;
    }
    expect(ids).toHaveLength(100000);
    expect(ids.every((v, i) => v === i)).toBe(true);
    const last = await call('GET', `${API}/${big}/result/chunks/4`);
    expect(last.body.data_array.at(-1)).toEqual(['99999', '699993', '24999.75']);
    expect((await call('GET', `${API}/${big}/result/chunks/5`)).status).toBe(404);
  }, 300_000);

  it('pages it as CSV and as Arrow IPC streams, typed from the columns', async () => {
    const csv = await run(BIG, { format: 'CSV' });
    expect(csv.manifest).toMatchObject({ format: 'CSV', total_row_count: 100000, total_chunk_count: 5 });
    const first = Buffer.from(csv.result.attachment, 'base64').toString('utf8').split('\r\n');
    expect(first.slice(0, 2)).toEqual(['id,label,quarter', '0,0,0.0']);
    let lines = 0;
    for (let i = 0; i < 5; i++) {
      const r = await raw(`${API}/${csv.statement_id}/result/chunks/${i}`);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      lines += (await r.text()).split('\r\n').filter(Boolean).length;
    }
    expect(lines).toBe(100001);

    const arrow = await run(BIG, { format: 'ARROW_STREAM' });
    let rows = 0;
    let lastId = -1n;
    for (let i = 0; i < arrow.manifest.total_chunk_count; i++) {
      const r = await raw(`${API}/${arrow.statement_id}/result/chunks/${i}`);
      expect(r.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
      const table = tableFromIPC(new Uint8Array(await r.arrayBuffer()));
      expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:Int64', 'label:Utf8', 'quarter:Float64']);
      rows += table.numRows;
      lastId = table.getChild('id')!.get(table.numRows - 1) as bigint;
    }
    expect(rows).toBe(100000);
    expect(lastId).toBe(99999n);
    const inline = tableFromIPC(Buffer.from(arrow.result.attachment, 'base64'));
    expect(inline.numRows).toBe(20000);
  }, 300_000);

  it('row_limit keeps so many rows and marks the result truncated', async () => {
    const r = await run('SELECT id FROM range(100)', { row_limit: 10 });
    expect(r.manifest).toMatchObject({ total_row_count: 10, truncated: true });
    expect(r.result.data_array.at(-1)).toEqual(['9']);
  }, 120_000);

  it('cancels a long statement: at the wait timeout with on_wait_timeout CANCEL, and by POST .../cancel', async () => {
    const LONG = 'SELECT count(*) FROM range(2000000) a CROSS JOIN range(2000000) b WHERE a.id + b.id > 0';
    const started = Date.now();
    const timedOut = await run(LONG, { wait_timeout: '5s', on_wait_timeout: 'CANCEL' });
    expect(timedOut.status).toEqual({ state: 'CANCELED' });
    expect(Date.now() - started).toBeLessThan(20_000);

    const running = await run(LONG, { wait_timeout: '0s' });
    expect(['PENDING', 'RUNNING']).toContain(running.status.state);
    const id = running.statement_id as string;
    for (let i = 0; i < 100 && (await call('GET', `${API}/${id}`)).body.status.state === 'PENDING'; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await call('GET', `${API}/${id}`)).body.status.state).toBe('RUNNING');
    const cancelled = await call('POST', `${API}/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toEqual({ state: 'CANCELED' });
    expect((await call('GET', `${API}/${id}`)).body.status.state).toBe('CANCELED');
    // Spark stopped it: the next statement does not wait behind a cross join.
    const t0 = Date.now();
    expect((await run('SELECT 1')).status.state).toBe('SUCCEEDED');
    expect(Date.now() - t0).toBeLessThan(15_000);
    const history = (await call('GET', '/api/v1/sql/history?state=CANCELED')).body.items;
    expect(history).toHaveLength(2);
  }, 180_000);

  it.skipIf(backend !== 'postgres')(
    'another process of the platform serves the stored result; an expired result is a 404 saying when',
    async () => {
      const second = await startPlatform('postgres', { sharedDatabaseOf: p, env: { LAKEPLANE_SQL_RESULT_TTL_SECONDS: '2', LAKEPLANE_SQL_SWEEP_MS: '300' } });
      try {
        const chunk = await second.call('GET', `${API}/${big}/result/chunks/3`, { token: ada });
        expect(chunk.status).toBe(200);
        expect(chunk.body).toMatchObject({ chunk_index: 3, row_offset: 60000, row_count: 20000 });
        expect(chunk.body.data_array[0]).toEqual(['60000', '420000', '15000.0']);
        const again = await second.call('GET', `${API}/${big}`, { token: ada });
        expect(again.body.manifest.total_row_count).toBe(100000);

        // A statement ended by the second process keeps its result 2 s.
        const short = await second.call('POST', API, { token: ada, body: { statement: 'SELECT 42', lakehouse: 'lh', wait_timeout: '30s' } });
        expect(short.body.status.state).toBe('SUCCEEDED');
        const id = short.body.statement_id as string;
        await new Promise((r) => setTimeout(r, 3000));
        const gone = await second.call('GET', `${API}/${id}`, { token: ada });
        expect(gone.status).toBe(404);
        expect(gone.body.detail).toMatch(new RegExp(`the result of statement ${id} expired at \\d{4}-\\d\\d-\\d\\dT`));
        expect((await second.call('GET', `${API}/${id}/result/chunks/0`, { token: ada })).status).toBe(404);
        // The sweeper deleted its chunks; its history entry stays, CLOSED.
        const left = await second.running.platform.store.db.selectFrom('sql_statement_chunks').select('chunk_index').where('statement_id', '=', id).execute();
        expect(left).toEqual([]);
        const entry = (await second.call('GET', '/api/v1/sql/history?state=CLOSED', { token: ada })).body.items;
        expect(entry.map((e: { statement_id: string }) => e.statement_id)).toContain(id);
      } finally {
        await second.close();
      }
    },
    120_000,
  );

  it('a lakehouse that goes away mid-statement ends it FAILED saying so, not RUNNING forever', async () => {
    const running = await run('SELECT count(*) FROM range(2000000) a CROSS JOIN range(2000000) b WHERE a.id + b.id > 0', { wait_timeout: '0s' });
    const id = running.statement_id as string;
    for (let i = 0; i < 100 && (await call('GET', `${API}/${id}`)).body.status.state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
    await server.stop();
    let after: any;
    for (let i = 0; i < 100; i++) {
      after = (await call('GET', `${API}/${id}`)).body;
      if (after.status.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(after.status.state).toBe('FAILED');
    expect(after.status.error).toMatchObject({ error_code: 'LAKEHOUSE_UNAVAILABLE', message: expect.stringMatching(/HiveServer2|lakehouse/) });
  }, 120_000);
});
