import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ColdResult } from './cold-start.js';
import { fmt, markdownTable, median, textTable } from './stats.js';
import type { ThroughputRow } from './throughput.js';

export const TARGET_RPS = 5000;
export const TARGET_P99_MS = 5;
export const TARGET_COLD_RATIO = 3;
/** Above this much CPU taken by other processes during a measurement (cores), its figures are flagged as disturbed. */
export const DISTURBED_CORES = 0.2;

export interface RunFacts {
  date: string;
  command: string;
  machine: string[];
  settings: string[];
  ran: string;
}

export interface Verdict {
  name: string;
  measured: string;
  pass: boolean | undefined;
}

export function jwtPasses(row: ThroughputRow): boolean {
  return row.chosen.requestsMean >= TARGET_RPS && row.chosen.latencyMs.p99 < TARGET_P99_MS;
}

const disturbedNote = (cores: number | undefined) =>
  cores !== undefined && cores > DISTURBED_CORES ? ` (other processes used ${fmt(cores, 2)} cores meanwhile)` : '';

export function verdicts(rows: ThroughputRow[], cold: ColdResult[]): Verdict[] {
  const out: Verdict[] = [];
  for (const r of rows.filter((x) => x.auth === 'jwt')) {
    out.push({
      name: `JWT, ${r.backend.key}, log ${r.logLevel}: ≥ ${fmt(TARGET_RPS, 0)} req/s and p99 < ${TARGET_P99_MS} ms`,
      measured: `${fmt(r.chosen.requestsMean, 0)} req/s, p99 ${fmt(r.chosen.latencyMs.p99, 2)} ms${disturbedNote(r.chosen.otherCpuCores)}`,
      pass: jwtPasses(r),
    });
  }
  const bare = cold.find((c) => c.subject.key === 'bare');
  const target = cold.find((c) => !c.subject.informational && c.subject.key !== 'bare');
  if (bare && target) {
    const ratio = target.medianMs / bare.medianMs;
    const other = median([...bare.otherCpuCores, ...target.otherCpuCores].filter((x) => !Number.isNaN(x)));
    out.push({
      name: `Cold start of one function < ${TARGET_COLD_RATIO}× bare Node (ratio of medians)`,
      measured: `${target.subject.key} ${fmt(target.medianMs, 0)} ms / bare ${fmt(bare.medianMs, 0)} ms = ${fmt(ratio, 2)}×${disturbedNote(other)}`,
      pass: ratio < TARGET_COLD_RATIO,
    });
  } else {
    out.push({
      name: `Cold start of one function < ${TARGET_COLD_RATIO}× bare Node`,
      measured: 'not measured: cluster mode needs DATABASE_URL',
      pass: undefined,
    });
  }
  return out;
}

const passText = (p: boolean | undefined) => (p === undefined ? 'n/a' : p ? 'PASS' : 'FAIL');

function throughputCells(rows: ThroughputRow[]): { header: string[]; cells: string[][] } {
  const header = [
    'backend',
    'log',
    'auth',
    'req/s (mean)',
    'req/s range',
    'p50 ms',
    'p97.5 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'server CPU µs/req',
    'DB CPU µs/req',
    'log B/req',
    'other CPU (cores)',
    'non-2xx',
    'target',
  ];
  const cells = rows.map((r) => {
    const c = r.chosen;
    const all = r.runs.map((x) => x.requestsMean);
    return [
      r.backend.key,
      r.logLevel,
      r.auth.toUpperCase(),
      fmt(c.requestsMean, 0),
      all.length > 1 ? `${fmt(Math.min(...all), 0)}–${fmt(Math.max(...all), 0)}` : '-',
      fmt(c.latencyMs.p50, 2),
      fmt(c.latencyMs.p97_5, 2),
      fmt(c.latencyMs.p99, 2),
      fmt(c.latencyMs.p99_9, 2),
      fmt(c.latencyMs.max, 1),
      fmt(c.serverCpuUsPerRequest, 0),
      c.dbCpuUsPerRequest === undefined ? '-' : fmt(c.dbCpuUsPerRequest, 0),
      fmt(c.logBytesPerRequest, 0),
      fmt(c.otherCpuCores, 2),
      String(c.non2xx + c.errors),
      r.auth === 'jwt' ? passText(jwtPasses(r)) : '(none)',
    ];
  });
  return { header, cells };
}

function coldCells(cold: ColdResult[]): { header: string[]; cells: string[][] } {
  const bare = cold.find((c) => c.subject.key === 'bare');
  const header = ['subject', 'runs', 'median ms', 'p90 ms', 'min ms', 'max ms', '× bare (medians)', 'CPU ms to ready (median)', 'other CPU (cores, median)'];
  const cells = cold.map((c) => [
    c.subject.key,
    String(c.samplesMs.length),
    fmt(c.medianMs, 1),
    fmt(c.p90Ms, 1),
    fmt(c.minMs, 1),
    fmt(c.maxMs, 1),
    bare ? fmt(c.medianMs / bare.medianMs, 2) : 'n/a',
    fmt(median(c.cpuMs.filter((x) => !Number.isNaN(x))), 0),
    fmt(median(c.otherCpuCores.filter((x) => !Number.isNaN(x))), 2),
  ]);
  return { header, cells };
}

export function consoleReport(rows: ThroughputRow[], cold: ColdResult[]): string {
  const t = throughputCells(rows);
  const c = coldCells(cold);
  const v = verdicts(rows, cold);
  return [
    'GET /api/v1/me throughput',
    textTable(t.header, t.cells),
    '',
    'Cold start (spawn to first 200 on /readyz)',
    textTable(c.header, c.cells),
    '',
    'Targets',
    textTable(
      ['target', 'measured', 'result'],
      v.map((x) => [x.name, x.measured, passText(x.pass)]),
    ),
  ].join('\n');
}

export function markdownResults(facts: RunFacts, rows: ThroughputRow[], cold: ColdResult[]): string {
  const t = throughputCells(rows);
  const c = coldCells(cold);
  const v = verdicts(rows, cold);
  const backends = [...new Map(rows.map((r) => [r.backend.key, r.backend])).values()];
  return [
    '## Results',
    '',
    `Run on ${facts.date}. Ran: ${facts.ran}`,
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
    ...backends.map((b) => `- Server for \`${b.key}\`: ${b.label}`),
    '',
    '### Targets',
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      v.map((x) => [x.name, x.measured, `**${passText(x.pass)}**`]),
    ),
    '',
    '### Throughput and latency of GET /api/v1/me',
    '',
    'Each row is the repeat with the median req/s (its latencies are from that same run); "req/s range" spans every repeat. ' +
      'Latency percentiles are exact, from every 2xx response time autocannon measured (its own table rounds to whole ms). ' +
      '"server CPU µs/req" is the server process\'s user+system CPU over the run divided by the requests served; "DB CPU µs/req" is the same for the PostgreSQL backends serving the bench\'s database. ' +
      '"log B/req" is what the server wrote to stdout per request (a file, as a container runtime would). ' +
      `"other CPU (cores)" is what processes outside the bench (not the server, the load generator, the bench's database backends or the bench itself) used during the run, from /proc/stat; above ${DISTURBED_CORES} cores on this machine the figures are disturbed.`,
    '',
    markdownTable(t.header, t.cells),
    '',
    '### Cold start: process start to first 200 on GET /readyz',
    '',
    'Clock from just before `spawn()` to the end of the first 200; polled every 2 ms on fresh connections. Subjects interleave with a rotating order; one unrecorded start of each comes first. ' +
      '"CPU ms to ready" is the user+system CPU the started process had used at that moment (10 ms ticks); "other CPU" is what processes outside the bench used meanwhile (PostgreSQL\'s work for a starting server included).',
    '',
    markdownTable(c.header, c.cells),
    '',
    ...cold.map(
      (x) =>
        `- \`${x.subject.key}\`: ${x.subject.label}${x.subject.informational ? ' (informational, not the target)' : ''}. Samples (ms): ${x.samplesMs.map((s) => s.toFixed(0)).join(', ')}`,
    ),
    '',
    '### Every throughput repeat',
    '',
    markdownTable(
      [
        'backend',
        'log',
        'auth',
        'req/s per repeat',
        'p50 ms per repeat',
        'p99 ms per repeat',
        'server CPU µs/req per repeat',
        'load generator CPU ms',
        'other CPU (cores) per repeat',
      ],
      rows.map((r) => [
        r.backend.key,
        r.logLevel,
        r.auth.toUpperCase(),
        r.runs.map((x) => fmt(x.requestsMean, 0)).join(', '),
        r.runs.map((x) => fmt(x.latencyMs.p50, 2)).join(', '),
        r.runs.map((x) => fmt(x.latencyMs.p99, 2)).join(', '),
        r.runs.map((x) => fmt(x.serverCpuUsPerRequest, 0)).join(', '),
        r.runs.map((x) => fmt(x.loadCpuMs, 0)).join(', '),
        r.runs.map((x) => fmt(x.otherCpuCores, 2)).join(', '),
      ]),
    ),
    '',
  ].join('\n');
}

const START = '<!-- bench:results:start (written by bench/run.ts; everything up to the end marker is replaced on each run) -->';
const END = '<!-- bench:results:end -->';

const DEFAULT_HEAD = `# Lakeplane benchmarks

\`npm run bench\` (\`node --import tsx bench/run.ts\`) measures GET /api/v1/me (JWT and PAT) and cold start. See bench/run.ts for options.

`;

/**
 * Replaces the results section of RESULTS.md between `markers` (by default bench/run.ts's), keeping whatever is
 * written around it; appends the section with its markers when they are not there yet.
 */
export function writeResults(file: string, section: string, markers: { start: string; end: string } = { start: START, end: END }): void {
  const block = `${markers.start}\n\n${section}\n${markers.end}`;
  if (!existsSync(file)) {
    writeFileSync(file, `${DEFAULT_HEAD}${block}\n`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(markers.start);
  const b = text.indexOf(markers.end);
  writeFileSync(file, a !== -1 && b > a ? text.slice(0, a) + block + text.slice(b + markers.end.length) : `${text.trimEnd()}\n\n${block}\n`);
}
