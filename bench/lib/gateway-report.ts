import { DISTURBED_CORES } from './report.js';
import { fmt, markdownTable, median, textTable } from './stats.js';
import type { LoadResult } from './throughput.js';

export const GATEWAY_MARKERS = {
  start: '<!-- bench:gateway:start (written by bench/gateway.ts; everything up to the end marker is replaced on each run) -->',
  end: '<!-- bench:gateway:end -->',
};

/** Issue 21: the gateway adds at most this much to direct's p50 ... */
export const TARGET_ADDED_P50_MS = 1;
/** ... and keeps at least this share of direct's req/s. */
export const TARGET_RPS_SHARE = 0.7;

export type Workload = 'me' | 'loadTable';
export type TargetKey = 'direct' | 'gateway' | 'gateway-baseline' | 'nginx';

export interface TargetInfo {
  key: TargetKey;
  title: string;
  label: string;
}

export interface GatewayRun {
  round: number;
  workload: Workload;
  target: TargetKey;
  result: LoadResult;
  wallMs: number;
  /** CPU of the function serving the workload (iam or catalog), per request. */
  fnCpuUsPerRequest: number;
  /** CPU of the proxy in front (nginx: master and workers), per request; undefined for direct. */
  proxyCpuUsPerRequest: number | undefined;
  dbCpuUsPerRequest: number;
  loadCpuUsPerRequest: number;
  /** CPU processes outside the bench used during the run, in cores. */
  otherCores: number | undefined;
}

export interface TargetSummary {
  target: TargetInfo;
  workload: Workload;
  runs: GatewayRun[];
  rps: number;
  p50: number;
  p99: number;
  /** Medians over the rounds of this target's figure against direct's in the same round. */
  rpsShare: number;
  addedP50: number;
  addedP99: number;
  proxyCpu: number | undefined;
  fnCpu: number;
  otherCores: number | undefined;
}

export interface GatewaySummary {
  rows: TargetSummary[];
  verdicts: Array<{ name: string; measured: string; pass: boolean }>;
}

const WORKLOAD_TITLE: Record<Workload, string> = { me: 'GET /api/v1/me (iam)', loadTable: 'loadTable (catalog)' };

/** Medians over the rounds; ratios and differences are taken round by round against direct, then their median. */
export function summarize(runs: GatewayRun[], targets: TargetInfo[], workloads: Workload[]): GatewaySummary {
  const rows: TargetSummary[] = [];
  for (const w of workloads) {
    const directByRound = new Map(runs.filter((r) => r.workload === w && r.target === 'direct').map((r) => [r.round, r]));
    for (const t of targets) {
      const mine = runs.filter((r) => r.workload === w && r.target === t.key);
      const paired = mine.filter((r) => directByRound.has(r.round));
      const vs = (f: (x: GatewayRun, d: GatewayRun) => number) => median(paired.map((r) => f(r, directByRound.get(r.round)!)));
      const others = mine.map((r) => r.otherCores).filter((x): x is number => x !== undefined);
      const proxies = mine.map((r) => r.proxyCpuUsPerRequest).filter((x): x is number => x !== undefined);
      rows.push({
        target: t,
        workload: w,
        runs: mine,
        rps: median(mine.map((r) => r.result.requestsMean)),
        p50: median(mine.map((r) => r.result.latencyMs.p50)),
        p99: median(mine.map((r) => r.result.latencyMs.p99)),
        rpsShare: vs((x, d) => x.result.requestsMean / d.result.requestsMean),
        addedP50: vs((x, d) => x.result.latencyMs.p50 - d.result.latencyMs.p50),
        addedP99: vs((x, d) => x.result.latencyMs.p99 - d.result.latencyMs.p99),
        proxyCpu: proxies.length > 0 ? median(proxies) : undefined,
        fnCpu: median(mine.map((r) => r.fnCpuUsPerRequest)),
        otherCores: others.length > 0 ? median(others) : undefined,
      });
    }
  }
  const verdicts = rows
    .filter((r) => r.target.key === 'gateway')
    .flatMap((r) => {
      const disturbed = r.otherCores !== undefined && r.otherCores > DISTURBED_CORES ? ` (other processes used ${fmt(r.otherCores, 2)} cores meanwhile)` : '';
      return [
        {
          name: `${WORKLOAD_TITLE[r.workload]} through the gateway: p50 at most ${TARGET_ADDED_P50_MS} ms above direct`,
          measured: `+${fmt(r.addedP50, 2)} ms (p50 ${fmt(r.p50, 2)} ms)${disturbed}`,
          pass: r.addedP50 <= TARGET_ADDED_P50_MS,
        },
        {
          name: `${WORKLOAD_TITLE[r.workload]} through the gateway: at least ${TARGET_RPS_SHARE * 100}% of direct's req/s`,
          measured: `${fmt(r.rpsShare * 100, 0)}% (${fmt(r.rps, 0)} req/s)${disturbed}`,
          pass: r.rpsShare >= TARGET_RPS_SHARE,
        },
      ];
    });
  return { rows, verdicts };
}

const HEADER = [
  'workload',
  'target',
  'req/s',
  '× direct',
  'p50 ms',
  '+p50 ms',
  'p99 ms',
  '+p99 ms',
  'proxy CPU µs/req',
  'function CPU µs/req',
  'other CPU (cores)',
];

function summaryCells(r: TargetSummary): string[] {
  const direct = r.target.key === 'direct';
  return [
    WORKLOAD_TITLE[r.workload],
    r.target.title,
    fmt(r.rps, 0),
    direct ? '1' : fmt(r.rpsShare, 2),
    fmt(r.p50, 2),
    direct ? '-' : fmt(r.addedP50, 2),
    fmt(r.p99, 2),
    direct ? '-' : fmt(r.addedP99, 2),
    r.proxyCpu === undefined ? '-' : fmt(r.proxyCpu, 0),
    fmt(r.fnCpu, 0),
    fmt(r.otherCores, 2),
  ];
}

const verdictText = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

export function gatewayConsoleReport(s: GatewaySummary): string {
  return [
    textTable(HEADER, s.rows.map(summaryCells)),
    '',
    textTable(
      ['target', 'measured', 'result'],
      s.verdicts.map((v) => [v.name, v.measured, verdictText(v.pass)]),
    ),
  ].join('\n');
}

export interface GatewayFacts {
  date: string;
  command: string;
  ran: string;
  machine: string[];
  settings: string[];
}

export function gatewayMarkdown(facts: GatewayFacts, s: GatewaySummary, runs: GatewayRun[]): string {
  const every = runs.map((r) => [
    String(r.round + 1),
    WORKLOAD_TITLE[r.workload],
    r.target,
    fmt(r.result.requestsMean, 0),
    fmt(r.result.latencyMs.p50, 2),
    fmt(r.result.latencyMs.p99, 2),
    r.proxyCpuUsPerRequest === undefined ? '-' : fmt(r.proxyCpuUsPerRequest, 0),
    fmt(r.fnCpuUsPerRequest, 0),
    fmt(r.dbCpuUsPerRequest, 0),
    fmt(r.loadCpuUsPerRequest, 0),
    fmt(r.otherCores, 2),
    String(r.result.non2xx + r.result.errors),
  ]);
  return [
    '## Gateway results',
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
    '### Targets',
    '',
    markdownTable(
      ['target', 'measured (median over the rounds of the figure against direct in the same round)', 'result'],
      s.verdicts.map((v) => [v.name, v.measured, `**${verdictText(v.pass)}**`]),
    ),
    '',
    '### Each target against direct',
    '',
    'req/s, p50 and p99 are medians over the rounds; "× direct", "+p50" and "+p99" are the medians of the same figures taken round by round against direct\'s run of that round. "proxy CPU" is the user+system CPU of the proxy process (nginx: master and workers) per request, "function CPU" that of the function serving the workload. "other CPU" is what processes outside the bench used meanwhile; above 0.2 cores on 2 cores the figures are disturbed.',
    '',
    markdownTable(HEADER, s.rows.map(summaryCells)),
    '',
    '### Every run',
    '',
    markdownTable(
      [
        'round',
        'workload',
        'target',
        'req/s',
        'p50 ms',
        'p99 ms',
        'proxy CPU µs/req',
        'function CPU µs/req',
        'DB CPU µs/req',
        'load generator CPU µs/req',
        'other CPU (cores)',
        'non-2xx + errors',
      ],
      every,
    ),
    '',
  ].join('\n');
}
