// `npm run bench:sql` (issue 10): the SQL statement API against a real Spark 3.5 Thrift server (the interop venv's
// PySpark, scripts/install-interop.sh), in one run:
//
//   overhead   SELECT 1 through POST /api/v1/sql/statements (wait_timeout 10s, JSON_ARRAY) against the same
//              statement through a direct hive-driver client holding one session on the same Thrift server
//              (executeStatement, fetch all, close the operation): p50/p99 each, interleaved, and the ratio of p50s
//   paging     a 100,000-row result (3 columns): the time from POST to SUCCEEDED (Spark runs it, the rows are fetched
//              and stored in 5 chunks), then reading every chunk through GET .../result/chunks/{i} in each format:
//              rows/s
//
// The platform is embedded, on PostgreSQL when DATABASE_URL is set (a scratch database), else PGlite. Prints a table
// and writes the "SQL statement API" section of bench/RESULTS.md (--no-write: print only).
import path from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import hive from 'hive-driver';
import { tableFromIPC } from 'apache-arrow';
import { findIcebergSparkJar, findInteropPython, findSparkJava, startInteropCatalog } from '../test/interop/interop.js';
import { sparkHomeOf, startThriftServer } from '../test/support/spark-thrift-server.js';
import { insertLakehouse } from '../test/sql/lakehouse-rows.js';
import { writeResults } from './lib/report.js';
import { percentile } from './lib/stats.js';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const { values: argv } = parseArgs({ options: { 'no-write': { type: 'boolean' }, iterations: { type: 'string', default: '200' } } });
const progress = (m: string) => process.stderr.write(`[bench:sql] ${m}\n`);
const N = Number(argv.iterations);

const python = findInteropPython(['pyspark']);
const jar = findIcebergSparkJar();
const java = findSparkJava();
for (const f of [python, jar, java]) if (!f.ok) throw new Error(`${f.why}; run scripts/install-interop.sh`);
const sparkHome = sparkHomeOf(python.ok ? python.value : '');
if (!sparkHome || !jar.ok) throw new Error('no PySpark with spark-submit in the interop venv; run scripts/install-interop.sh');

const backend = process.env['DATABASE_URL'] ? 'postgres' : 'pglite';
progress(`platform on ${backend}`);
const catalog = await startInteropCatalog(backend, { env: { LAKEPLANE_LOG_LEVEL: 'warn' } });
const p = catalog.platform;
progress('starting the Spark Thrift server');
const server = await startThriftServer({ sparkHome, icebergJar: jar.value, catalogs: { wh: catalog.connection } });
const rows: string[][] = [];
const ms = (n: number) => n.toFixed(2);
try {
  await insertLakehouse(p, { name: 'bench', state: 'RUNNING', hiveServer2: { host: server.host, port: server.port } });
  const token = await p.adminToken();
  const post = async (statement: string, extra: Record<string, unknown> = {}) => {
    const r = await fetch(`${p.url}/api/v1/sql/statements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ statement, lakehouse: 'bench', wait_timeout: '10s', ...extra }),
    });
    const body = (await r.json()) as { statement_id: string; status: { state: string }; manifest?: { total_chunk_count: number; total_row_count: number } };
    if (body.status?.state !== 'SUCCEEDED') throw new Error(`statement ended ${JSON.stringify(body)}`);
    return body;
  };

  // The direct client: hive-driver's own API, one session for the whole run.
  const { TCLIService, TCLIService_types } = hive.thrift;
  const client = await new hive.HiveClient(TCLIService, TCLIService_types).connect(
    { host: server.host, port: server.port },
    new hive.connections.TcpConnection(),
    new hive.auth.PlainTcpAuthentication({ username: 'admin', password: token }),
  );
  const session = await client.openSession({ client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
  const utils = new hive.HiveUtils(TCLIService_types);
  const direct = async () => {
    const op = await session.executeStatement('SELECT 1', { runAsync: true });
    await utils.waitUntilReady(op, false, () => undefined);
    await utils.fetchAll(op);
    const value = utils.getResult(op).getValue() as unknown[];
    await op.close();
    if (value.length !== 1) throw new Error('SELECT 1 gave no row');
  };

  progress('warming up (JIT on both sides, the pooled session)');
  for (let i = 0; i < 30; i++) {
    // The first statements of a fresh Spark take seconds (its JIT, the first plan).
    await post('SELECT 1', { wait_timeout: '50s' });
    await direct();
  }
  progress(`SELECT 1: ${N} each, interleaved`);
  const api: number[] = [];
  const hs2: number[] = [];
  for (let i = 0; i < N; i++) {
    let t = performance.now();
    await post('SELECT 1');
    api.push(performance.now() - t);
    t = performance.now();
    await direct();
    hs2.push(performance.now() - t);
  }
  const ratio = percentile(api, 50) / percentile(hs2, 50);
  rows.push([`SELECT 1 through the API (wait_timeout 10s), ${N} sequential`, `p50 ${ms(percentile(api, 50))} ms, p99 ${ms(percentile(api, 99))} ms`]);
  rows.push([
    `SELECT 1 through a direct hive-driver client (one session), ${N} sequential`,
    `p50 ${ms(percentile(hs2, 50))} ms, p99 ${ms(percentile(hs2, 99))} ms`,
  ]);
  rows.push(['API / direct (ratio of p50s)', `${ratio.toFixed(2)}x (+${ms(percentile(api, 50) - percentile(hs2, 50))} ms)`]);

  const BIG = 'SELECT id, CAST(id * 7 AS STRING) AS label, id / 4 AS quarter FROM range(100000)';
  progress('100,000 rows: warm-up (Spark plans and JIT for this query, our decoding)');
  await post(BIG, { wait_timeout: '50s' });
  // The same result through the direct client, for scale: what Spark and the Thrift transfer alone take.
  const bigDirect = async () => {
    const op = await session.executeStatement(BIG, { runAsync: true });
    op.setMaxRows(20000);
    await utils.waitUntilReady(op, false, () => undefined);
    await utils.fetchAll(op);
    const n = (utils.getResult(op).getValue() as unknown[]).length;
    await op.close();
    if (n !== 100000) throw new Error(`direct: ${n} rows`);
  };
  await bigDirect();
  const td = performance.now();
  await bigDirect();
  const directMs = performance.now() - td;
  await session.close();
  client.close();
  rows.push([
    '100,000 rows through the direct hive-driver client (execute, fetch all in 20,000-row batches), for scale',
    `${ms(directMs)} ms (${Math.round(100000 / (directMs / 1000)).toLocaleString('en-US')} rows/s)`,
  ]);
  for (const format of ['JSON_ARRAY', 'CSV', 'ARROW_STREAM'] as const) {
    progress(`100,000 rows as ${format}`);
    const t0 = performance.now();
    const r = await post(BIG, { format, wait_timeout: '50s' });
    const stored = performance.now() - t0;
    // Paged three times: the median round is reported (the first pays for this process's JIT of the path).
    const rounds: number[] = [];
    for (let round = 0; round < 3; round++) {
      const t1 = performance.now();
      let count = 0;
      for (let i = 0; i < r.manifest!.total_chunk_count; i++) {
        const chunk = await fetch(`${p.url}/api/v1/sql/statements/${r.statement_id}/result/chunks/${i}`, { headers: { authorization: `Bearer ${token}` } });
        if (format === 'JSON_ARRAY') count += ((await chunk.json()) as { data_array: unknown[] }).data_array.length;
        else if (format === 'CSV') count += (await chunk.text()).split('\r\n').filter(Boolean).length - (i === 0 ? 1 : 0);
        else count += tableFromIPC(new Uint8Array(await chunk.arrayBuffer())).numRows;
      }
      rounds.push(performance.now() - t1);
      if (count !== 100000) throw new Error(`${format}: paged ${count} rows, not 100,000`);
    }
    const paged = percentile(rounds, 50);
    rows.push([
      `100,000 rows, ${format}: POST to SUCCEEDED (Spark runs it; rows fetched, stored in ${r.manifest!.total_chunk_count} chunks)`,
      `${ms(stored)} ms (${Math.round(100000 / (stored / 1000)).toLocaleString('en-US')} rows/s)`,
    ]);
    rows.push([
      `100,000 rows, ${format}: paging every chunk (GET, parsed by the client; median of 3 rounds)`,
      `${ms(paged)} ms (${Math.round(100000 / (paged / 1000)).toLocaleString('en-US')} rows/s; rounds ${rounds.map((x) => x.toFixed(0)).join(', ')} ms)`,
    ]);
  }
} finally {
  await server.stop();
  await catalog.close();
}

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
const text = [
  `Run on ${new Date().toISOString()}: \`npm run bench:sql\` (embedded platform on ${backend === 'postgres' ? 'PostgreSQL on loopback (DATABASE_URL)' : 'PGlite'}; Spark 3.5 Thrift server local[2], 1 GB driver, on the same 2-core machine; load average at the end ${load}).`,
  '',
  '| measure | result |',
  '| --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  "What the figures mean: Spark's Thrift server itself takes most of a SELECT 1 (parse, plan, a job; ~130-160 ms on this",
  'machine), so the ratio shows what the API adds on top: the HTTP request, authentication and the control policy, the',
  'statement row, status polling (every 5 ms for the first half second), the end and its event in one transaction, and',
  'the answer read back from the store. "POST to SUCCEEDED" includes Spark running the query and the Thrift transfer (the',
  "direct client's row gives that part alone); paging is the store and the encoding of each format, as a client sees it.",
  "The machine is shared with other engineers' builds and JVMs, so the figures move between runs (the load average says",
  'how busy it was).',
].join('\n');
console.log(text);
if (!argv['no-write']) {
  writeResults('bench/RESULTS.md', `## SQL statement API (issue 10)\n\n${text}\n`, { start: '<!-- sql:start -->', end: '<!-- sql:end -->' });
  progress('wrote the SQL statement API section of bench/RESULTS.md');
}
process.exit(0);
