import { DISTURBED_CORES } from './report.js';
import { fmt, markdownTable, textTable } from './stats.js';
import type { LoadResult } from './throughput.js';

export const CATALOG_MARKERS = {
  start: '<!-- bench:catalog:start (written by bench/catalog.ts; everything up to the end marker is replaced on each run) -->',
  end: '<!-- bench:catalog:end -->',
};

export interface RunAccounting {
  wallMs: number;
  serverCpuMs: number;
  dbCpuMs: number;
  otherCores: number | undefined;
  stolenCores: number | undefined;
  logBytes: number | undefined;
}

export interface LoadRun {
  r: LoadResult & { bytesTotal: number };
  acc: RunAccounting;
}

export interface LoadRow {
  key: string;
  title: string;
  runs: LoadRun[];
  chosen: LoadRun;
  loadBytes: number | undefined;
  tables: number;
  connections: number;
}

interface Latency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface CommitRun {
  r: {
    wallMs: number;
    landed: number;
    conflicts: number;
    gaveUp: number;
    commitPosts: number;
    loads: number;
    statuses: Record<string, number>;
    failures: string[];
    timedOut: boolean;
    landedMs: Latency;
    postMs: Latency;
    loadCpuMs: number;
  };
  acc: RunAccounting;
}

export interface CommitRow {
  key: string;
  title: string;
  scenario: 'one' | 'many';
  tables: number;
  writers: number;
  target: number;
  runs: CommitRun[];
  chosen: CommitRun;
}

export interface CatalogFacts {
  date: string;
  command: string;
  ran: string;
  machine: string[];
  settings: string[];
}

const rate = (c: CommitRun) => (c.r.landed * 1000) / c.r.wallMs;
const conflictRate = (c: CommitRun) => (c.r.commitPosts > 0 ? c.r.conflicts / c.r.commitPosts : NaN);
const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const disturbed = (cores: number | undefined) =>
  cores !== undefined && cores > DISTURBED_CORES ? ` (other processes used ${fmt(cores, 2)} cores meanwhile)` : '';
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? 'n/a' : `${fmt(a / b, 2)}×`);

function targetRows(load: LoadRow[], targetRps: number, targetP99: number): string[][] {
  const ours = load.find((l) => l.key === 'lakeplane');
  if (!ours) return [];
  const c = ours.chosen;
  const pass = c.r.requestsMean >= targetRps && c.r.latencyMs.p99 < targetP99;
  return [
    [
      `loadTable, Lakeplane, a random table among ${fmt(ours.tables, 0)} on PostgreSQL, ${ours.connections} connections: ≥ ${fmt(targetRps, 0)} req/s and p99 < ${targetP99} ms`,
      `${fmt(c.r.requestsMean, 0)} req/s, p99 ${fmt(c.r.latencyMs.p99, 2)} ms${disturbed(c.acc.otherCores)}`,
      pass ? 'PASS' : 'FAIL',
    ],
  ];
}

function loadCells(load: LoadRow[]): { header: string[]; cells: string[][] } {
  const header = [
    'server',
    'req/s (mean)',
    'req/s range',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'server CPU µs/req',
    'DB CPU µs/req',
    'answer B/req',
    'log B/req',
    'other CPU (cores)',
    'non-2xx',
  ];
  const cells = load.map((l) => {
    const c = l.chosen;
    const all = l.runs.map((x) => x.r.requestsMean);
    const n = Math.max(1, c.r.requestsTotal);
    return [
      l.title,
      fmt(c.r.requestsMean, 0),
      all.length > 1 ? `${fmt(Math.min(...all), 0)}–${fmt(Math.max(...all), 0)}` : '-',
      fmt(c.r.latencyMs.p50, 2),
      fmt(c.r.latencyMs.p90, 2),
      fmt(c.r.latencyMs.p99, 2),
      fmt(c.r.latencyMs.p99_9, 2),
      fmt(c.r.latencyMs.max, 1),
      fmt((c.acc.serverCpuMs * 1000) / n, 0),
      l.key === 'lakeplane' ? fmt((c.acc.dbCpuMs * 1000) / n, 0) : '(in process)',
      fmt(c.r.bytesTotal / n, 0),
      c.acc.logBytes === undefined ? '-' : fmt(c.acc.logBytes / n, 0),
      fmt(c.acc.otherCores, 2),
      String(c.r.non2xx + c.r.errors),
    ];
  });
  return { header, cells };
}

function loadRatio(load: LoadRow[]): string | undefined {
  const a = load.find((l) => l.key === 'lakeplane')?.chosen;
  const b = load.find((l) => l.key === 'reference')?.chosen;
  if (!a || !b) return undefined;
  return `Lakeplane / reference: req/s ${ratio(a.r.requestsMean, b.r.requestsMean)}, p50 ${ratio(a.r.latencyMs.p50, b.r.latencyMs.p50)}, p99 ${ratio(a.r.latencyMs.p99, b.r.latencyMs.p99)} (server CPU per request ${ratio(a.acc.serverCpuMs / a.r.requestsTotal, b.acc.serverCpuMs / b.r.requestsTotal)}; with PostgreSQL's CPU added to Lakeplane's ${ratio((a.acc.serverCpuMs + a.acc.dbCpuMs) / a.r.requestsTotal, b.acc.serverCpuMs / b.r.requestsTotal)})`;
}

function commitCells(rows: CommitRow[]): { header: string[]; cells: string[][] } {
  const header = [
    'test',
    'server',
    'writers',
    'landed',
    'commits/s',
    'commits/s range',
    '409 share of commit POSTs',
    'gave up',
    'landed commit p50 ms',
    'p99 ms',
    'commit POST p50 ms',
    'p99 ms',
    'server CPU ms/commit',
    'DB CPU ms/commit',
    'other CPU (cores)',
    'errors',
  ];
  const cells = rows.map((row) => {
    const c = row.chosen;
    const all = row.runs.map(rate);
    const n = Math.max(1, c.r.landed);
    const errors = Object.values(c.r.statuses).reduce((a, b) => a + b, 0);
    return [
      row.scenario === 'one' ? 'one table' : `${row.tables} tables`,
      row.title,
      String(row.writers),
      `${c.r.landed}${c.r.timedOut ? ' (timed out)' : ''}`,
      fmt(rate(c), 0),
      all.length > 1 ? `${fmt(Math.min(...all), 0)}–${fmt(Math.max(...all), 0)}` : '-',
      `${pct(conflictRate(c))} (${c.r.conflicts} of ${c.r.commitPosts})`,
      String(c.r.gaveUp),
      fmt(c.r.landedMs.p50, 1),
      fmt(c.r.landedMs.p99, 1),
      fmt(c.r.postMs.p50, 1),
      fmt(c.r.postMs.p99, 1),
      fmt(c.acc.serverCpuMs / n, 2),
      row.key === 'lakeplane' ? fmt(c.acc.dbCpuMs / n, 2) : '(in process)',
      fmt(c.acc.otherCores, 2),
      String(errors),
    ];
  });
  return { header, cells };
}

function commitRatios(rows: CommitRow[]): string[] {
  const out: string[] = [];
  for (const scenario of ['one', 'many'] as const) {
    const a = rows.find((r) => r.key === 'lakeplane' && r.scenario === scenario)?.chosen;
    const b = rows.find((r) => r.key === 'reference' && r.scenario === scenario)?.chosen;
    if (a && b)
      out.push(
        `${scenario === 'one' ? 'one table' : 'many tables'}: Lakeplane / reference commits/s ${ratio(rate(a), rate(b))}; 409 share ${pct(conflictRate(a))} vs ${pct(conflictRate(b))}`,
      );
  }
  return out;
}

export function catalogConsoleReport(load: LoadRow[], commits: CommitRow[], targetRps: number, targetP99: number): string {
  const l = loadCells(load);
  const c = commitCells(commits);
  return [
    'loadTable (random table among the setup tables)',
    textTable(l.header, l.cells),
    loadRatio(load) ?? '',
    '',
    'Commits (load -> commit with retry on 409)',
    textTable(c.header, c.cells),
    ...commitRatios(commits),
    '',
    'Target',
    textTable(['target', 'measured', 'result'], targetRows(load, targetRps, targetP99)),
  ].join('\n');
}

export function catalogMarkdown(facts: CatalogFacts, load: LoadRow[], commits: CommitRow[], targetRps: number, targetP99: number): string {
  const l = loadCells(load);
  const c = commitCells(commits);
  return [
    '## Catalog results',
    '',
    `Run on ${facts.date}. Ran: ${facts.ran}.`,
    '',
    'Command:',
    '',
    '```sh',
    facts.command,
    '```',
    '',
    '**Machine**',
    '',
    ...facts.machine.map((m) => `- ${m}`),
    '',
    '**Settings**',
    '',
    ...facts.settings.map((m) => `- ${m}`),
    '',
    '### Target',
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      targetRows(load, targetRps, targetP99).map(([a, b, p]) => [a as string, b as string, `**${p}**`]),
    ),
    '',
    `### loadTable, a random table among ${fmt(load[0]?.tables ?? 0, 0)}`,
    '',
    'Each row is the run with the median req/s (its latencies are from that same run); "req/s range" spans every run. Latency percentiles are exact, from every 2xx response time. ' +
      '"server CPU µs/req" is the server process\'s user+system CPU over the run per request (the JVM\'s includes its in-process SQLite); "DB CPU" is PostgreSQL\'s backends serving the bench\'s database. ' +
      '"answer B/req" is what the load generator received per response, headers included. ' +
      `"other CPU (cores)" is what processes outside the bench (not the two servers, the load generator, the bench's database backends or the bench itself) used during the run; above ${DISTURBED_CORES} cores on this machine the figures are disturbed.`,
    '',
    markdownTable(l.header, l.cells),
    '',
    loadRatio(load) ? `${loadRatio(load)}.` : '',
    '',
    '### Commits: load, then add-snapshot + set-snapshot-ref with assert-ref-snapshot-id, retried on 409',
    '',
    '"landed" counts logical commits that landed; "commits/s" is landed commits per second of the run\'s wall time (the median run; "range" spans every run). "409 share" is the share of commit POSTs refused with 409 (each is retried from a new load). ' +
      '"landed commit" latency runs from a logical commit\'s first load to its 200, retries included; "commit POST" is one POST, whatever its answer. CPU per landed commit includes the loads and refused attempts.',
    '',
    markdownTable(c.header, c.cells),
    '',
    ...commitRatios(commits).map((x) => `- ${x}`),
    '',
    '### Every run',
    '',
    "\"host steal (cores)\" is CPU the virtual machine's host took from this machine's cores during the run (steal in /proc/stat): time the bench's processes were runnable but not run, invisible in every other column.",
    '',
    markdownTable(
      [
        'server',
        'loadTable req/s per run',
        'p50 ms per run',
        'p99 ms per run',
        'server CPU µs/req per run',
        'load generator CPU ms',
        'other CPU (cores) per run',
        'host steal (cores) per run',
      ],
      load.map((x) => [
        x.title,
        x.runs.map((y) => fmt(y.r.requestsMean, 0)).join(', '),
        x.runs.map((y) => fmt(y.r.latencyMs.p50, 2)).join(', '),
        x.runs.map((y) => fmt(y.r.latencyMs.p99, 2)).join(', '),
        x.runs.map((y) => fmt((y.acc.serverCpuMs * 1000) / Math.max(1, y.r.requestsTotal), 0)).join(', '),
        x.runs.map((y) => fmt(y.r.loadCpuMs, 0)).join(', '),
        x.runs.map((y) => fmt(y.acc.otherCores, 2)).join(', '),
        x.runs.map((y) => fmt(y.acc.stolenCores, 2)).join(', '),
      ]),
    ),
    '',
    markdownTable(
      [
        'test',
        'server',
        'commits/s per run',
        '409 share per run',
        'landed p99 ms per run',
        'server CPU ms/commit per run',
        'other CPU (cores) per run',
        'host steal (cores) per run',
      ],
      commits.map((x) => [
        x.scenario === 'one' ? 'one table' : `${x.tables} tables`,
        x.title,
        x.runs.map((y) => fmt(rate(y), 0)).join(', '),
        x.runs.map((y) => pct(conflictRate(y))).join(', '),
        x.runs.map((y) => fmt(y.r.landedMs.p99, 1)).join(', '),
        x.runs.map((y) => fmt(y.acc.serverCpuMs / Math.max(1, y.r.landed), 2)).join(', '),
        x.runs.map((y) => fmt(y.acc.otherCores, 2)).join(', '),
        x.runs.map((y) => fmt(y.acc.stolenCores, 2)).join(', '),
      ]),
    ),
    '',
  ].join('\n');
}
