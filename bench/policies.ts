// `npm run bench:policies` (issue 3): data access decisions with 1,000 policies.
//
//   in process  DataPolicySet.decide() on random requests (a seeded PRNG): p50/p99/max per decision, after warm-up
//   over HTTP   POST /api/v1/policies/decide (Lakeplane from dist/, embedded, PGlite, the 1,000 policies created
//               through its API, an admin's JWT) against `opa run --server` evaluating an equivalent Rego policy
//               over the same 1,000 policies as data (POST /v1/data/lakeplane/bench/allow), the same load
//               (autocannon in its own process, 10 connections), interleaved in the same run
//
// The policy set has what decides cost: literal and wildcard tables, groups and users, deny items; no exceptions or
// priorities, so that the Rego below decides exactly the same (it is checked on every request shape before the
// load). Targets: in-process p99 < 100 µs; HTTP >= 5,000 decisions/s. Prints a table and writes the "Policy
// decisions" section of bench/RESULTS.md (--no-write: print only). Needs `opa` (go install
// github.com/open-policy-agent/opa@v1.22.2); --no-opa runs Lakeplane alone.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataPolicySet, type DataPolicy, type DataPolicyInput } from '../shared/policy/index.js';
import { findOpa } from '../scripts/policy-sources.mjs';
import { childEnv, freePort, httpJson, killChildren, runNode, startNode, startProcess, waitReady } from './lib/proc.js';
import { percentile } from './lib/stats.js';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const { values: argv } = parseArgs({
  options: {
    duration: { type: 'string' },
    repeats: { type: 'string' },
    'no-write': { type: 'boolean' },
    'no-opa': { type: 'boolean' },
    'no-build': { type: 'boolean' },
  },
});
const DURATION = Number(argv.duration ?? 8);
const REPEATS = Number(argv.repeats ?? 3);
const progress = (m: string) => process.stderr.write(`[bench:policies] ${m}\n`);

// --- the policies ---------------------------------------------------------------------------------------------------
let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const v = (...values: string[]) => ({ values, excludes: false, recursive: false });
const item = (users: string[], groups: string[], accesses: DataPolicyInput['allow'][number]['accesses']) => ({
  users,
  groups,
  roles: [],
  accesses,
  delegateAdmin: false,
});

interface Plain {
  warehouse: string;
  namespace: string;
  table: string;
  allow: Array<{ users: string[]; groups: string[]; accesses: string[] }>;
  deny: Array<{ users: string[]; groups: string[]; accesses: string[] }>;
}
const plain: Plain[] = [];
const policies: DataPolicy[] = [];
for (let i = 0; i < 1000; i++) {
  const wh = `wh${i % 5}`;
  const ns = `ns${i % 20}`;
  const table = i % 40 === 0 ? `t${Math.floor(i / 10)}*` : `t${i}`;
  const allow = [item([`u${i % 50}`], [`g${i % 10}`], ['select', 'insert'])];
  const deny = i % 10 === 0 ? [item([`u${(i + 1) % 50}`], [], ['select'])] : [];
  plain.push({ warehouse: wh, namespace: ns, table, allow, deny });
  policies.push({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    version: 1,
    name: `p${String(i).padStart(4, '0')}`,
    description: '',
    type: 'access',
    enabled: true,
    auditEnabled: false,
    priority: 'normal',
    resources: { warehouse: v(wh), namespace: v(ns), table: v(table) },
    allow,
    deny,
    allowExceptions: [],
    denyExceptions: [],
    masks: [],
    rowFilters: [],
    validity: [],
    labels: [],
  });
}
const requests = Array.from({ length: 5000 }, () => {
  const i = Math.floor(rnd() * 1000);
  const k = Math.floor(rnd() * 50);
  return {
    subject: { user: `u${k}`, groups: [`g${k % 10}`], roles: [] as string[] },
    access: pick(['select', 'insert', 'drop'] as const),
    resource: { warehouse: `wh${i % 5}`, namespace: [`ns${i % 20}`], table: `t${i}` },
  };
});

// --- in process -----------------------------------------------------------------------------------------------------
const set = new DataPolicySet(policies, 1);
function inProcess(n: number): number[] {
  const out = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    const r = requests[j % requests.length]!;
    const t0 = process.hrtime.bigint();
    set.decide(r.subject, r.access, r.resource);
    out[j] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return out;
}
inProcess(50_000); // warm-up: the JIT
const samples = inProcess(200_000).sort((a, b) => a - b);
const inproc = { p50: percentile(samples, 50), p99: percentile(samples, 99), p999: percentile(samples, 99.9), max: samples[samples.length - 1]! };
progress(`in process: p50 ${inproc.p50.toFixed(1)} µs, p99 ${inproc.p99.toFixed(1)} µs, max ${inproc.max.toFixed(0)} µs`);

// --- over HTTP ------------------------------------------------------------------------------------------------------
const REGO = `package lakeplane.bench

import rego.v1

default allow := false

covers(p) if {
	glob.match(p.warehouse, [], input.resource.warehouse)
	glob.match(p.namespace, [], concat(".", input.resource.namespace))
	glob.match(p.table, [], input.resource.table)
}

names(item) if input.subject.user in item.users

names(item) if {
	some g in input.subject.groups
	g in item.groups
}

denied if {
	some p in data.policies
	covers(p)
	some item in p.deny
	input.access in item.accesses
	names(item)
}

allowed if {
	some p in data.policies
	covers(p)
	some item in p.allow
	input.access in item.accesses
	names(item)
}

allow if {
	allowed
	not denied
}
`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lakeplane-bench-policies-'));
const cleanup = () => {
  killChildren();
  rmSync(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

interface LoadOut {
  requestsMean: number;
  latencyMs: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
async function load(url: string, headers: Record<string, string>, body: string): Promise<LoadOut> {
  const out = await runNode(
    [
      'bench/load.mjs',
      JSON.stringify({ url, headers: { 'content-type': 'application/json', ...headers }, connections: 10, duration: DURATION, method: 'POST', body }),
    ],
    childEnv({}),
  );
  return JSON.parse(out) as LoadOut;
}

try {
  if (!argv['no-build']) await runNode(['scripts/build.mjs'], childEnv({}));
  const port = await freePort();
  const server = startNode(
    ['dist/serve.js'],
    childEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      LAKEPLANE_MODE: 'embedded',
      LAKEPLANE_DATA_DIR: path.join(tmp, 'data'),
      LAKEPLANE_ADMIN_PASSWORD: 'bench-admin-password',
      LAKEPLANE_LOG_LEVEL: 'warn',
    }),
    path.join(tmp, 'lakeplane.log'),
  );
  await waitReady(server, port);
  const token = await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=password&username=admin&password=bench-admin-password',
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const auth = { authorization: `Bearer ${token.access_token}` };
  progress('creating 1,000 policies through the API');
  for (const p of policies) {
    const { id: _id, version: _v, ...input } = p;
    const r = await httpJson(port, 'POST', '/api/v1/policies', { ...auth, 'content-type': 'application/json' }, JSON.stringify(input));
    if (r.status !== 201) throw new Error(`policy ${p.name}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  const probe = requests[0]!;
  const ourBody = JSON.stringify({ principal: probe.subject, access: probe.access, resource: probe.resource });

  let opaPort: number | undefined;
  const opa = argv['no-opa'] ? undefined : findOpa();
  if (!argv['no-opa'] && !opa) throw new Error('no opa binary: go install github.com/open-policy-agent/opa@v1.22.2, or run with --no-opa');
  if (opa) {
    writeFileSync(path.join(tmp, 'bench.rego'), REGO);
    writeFileSync(path.join(tmp, 'data.json'), JSON.stringify({ policies: plain }));
    opaPort = await freePort();
    const opaProc = startProcess(
      opa,
      ['run', '--server', '--addr', `127.0.0.1:${opaPort}`, '--log-level', 'error', 'bench.rego', 'data.json'],
      childEnv({}),
      undefined,
      tmp,
    );
    await waitReady(opaProc, opaPort, '/health');
    // Both answer the same on every request shape before they are timed.
    let checked = 0;
    for (const r of requests.slice(0, 300)) {
      const ours = await httpJson(
        port,
        'POST',
        '/api/v1/policies/decide',
        { ...auth, 'content-type': 'application/json' },
        JSON.stringify({ principal: r.subject, access: r.access, resource: r.resource }),
      );
      const theirs = await httpJson(opaPort, 'POST', '/v1/data/lakeplane/bench/allow', { 'content-type': 'application/json' }, JSON.stringify({ input: r }));
      const a = (ours.json as { decision: string }).decision === 'allow';
      const b = (theirs.json as { result: boolean }).result === true;
      if (a !== b) throw new Error(`Lakeplane and the Rego disagree on ${JSON.stringify(r)}: ${a} vs ${b}`);
      checked++;
    }
    progress(`Lakeplane and OPA agree on ${checked} requests`);
  }
  const opaBody = JSON.stringify({ input: probe });
  const rows: Array<{ who: string; runs: LoadOut[] }> = [{ who: 'Lakeplane', runs: [] }, ...(opaPort ? [{ who: 'OPA', runs: [] as LoadOut[] }] : [])];
  await load(`http://127.0.0.1:${port}/api/v1/policies/decide`, auth, ourBody); // warm-up
  if (opaPort) await load(`http://127.0.0.1:${opaPort}/v1/data/lakeplane/bench/allow`, {}, opaBody);
  for (let i = 0; i < REPEATS; i++) {
    rows[0]!.runs.push(await load(`http://127.0.0.1:${port}/api/v1/policies/decide`, auth, ourBody));
    progress(`Lakeplane run ${i + 1}: ${Math.round(rows[0]!.runs.at(-1)!.requestsMean)} req/s`);
    if (opaPort) {
      rows[1]!.runs.push(await load(`http://127.0.0.1:${opaPort}/v1/data/lakeplane/bench/allow`, {}, opaBody));
      progress(`OPA run ${i + 1}: ${Math.round(rows[1]!.runs.at(-1)!.requestsMean)} req/s`);
    }
  }
  const median = (r: LoadOut[]) => [...r].sort((a, b) => a.requestsMean - b.requestsMean)[Math.floor(r.length / 2)]!;
  const lines = [
    `Run on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, ${os.cpus().length} cores, Node ${process.version}; command: \`npm run bench:policies\`.`,
    '',
    '| target | measured | result |',
    '| :--- | ---: | ---: |',
    `| in-process decision, 1,000 policies: p99 < 100 µs | p50 ${inproc.p50.toFixed(1)} µs, p99 ${inproc.p99.toFixed(1)} µs, p99.9 ${inproc.p999.toFixed(1)} µs, max ${inproc.max.toFixed(0)} µs (200,000 decisions) | ${inproc.p99 < 100 ? 'PASS' : '**FAIL**'} |`,
    `| HTTP decisions (POST /api/v1/policies/decide, 10 connections): >= 5,000/s | ${Math.round(median(rows[0]!.runs).requestsMean).toLocaleString('en-US')}/s, p99 ${median(rows[0]!.runs).latencyMs.p99.toFixed(2)} ms | ${median(rows[0]!.runs).requestsMean >= 5000 ? 'PASS' : '**FAIL**'} |`,
    '',
    '| server | decisions/s (median of runs) | every run | p50 ms | p99 ms | non-2xx |',
    '| :--- | ---: | :--- | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const m = median(r.runs);
      return `| ${r.who === 'OPA' ? '`opa run --server` (the equivalent Rego over the same policies)' : 'Lakeplane (embedded, PGlite, JWT)'} | ${Math.round(m.requestsMean).toLocaleString('en-US')} | ${r.runs.map((x) => Math.round(x.requestsMean)).join(', ')} | ${m.latencyMs.p50.toFixed(2)} | ${m.latencyMs.p99.toFixed(2)} | ${r.runs.reduce((s, x) => s + x.non2xx, 0)} |`;
    }),
    ...(rows[1]
      ? ['', `Lakeplane / OPA: ${(median(rows[0]!.runs).requestsMean / median(rows[1].runs).requestsMean).toFixed(2)}x the decisions per second.`]
      : []),
  ];
  const text = lines.join('\n');
  console.log(text);
  if (!argv['no-write']) {
    const file = 'bench/RESULTS.md';
    const md = readFileSync(file, 'utf8');
    const start = '<!-- policies:start -->';
    const end = '<!-- policies:end -->';
    const section = `${start}\n## Policy decisions (issue 3)\n\n${text}\n${end}`;
    writeFileSync(file, md.includes(start) ? md.replace(new RegExp(`${start}[\\s\\S]*${end}`), section) : `${md.trimEnd()}\n\n${section}\n`);
    progress('wrote the policy decisions section of bench/RESULTS.md');
  }
} finally {
  cleanup();
}
