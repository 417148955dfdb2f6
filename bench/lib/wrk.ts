// wrk (Debian's package, C) as the load generator: the same closed loop as bench/load.mjs (N keep-alive connections,
// one request in flight on each, no pipelining) for a fraction of the CPU. On this 2-core machine autocannon (Node)
// took 75-95 µs of CPU per request, about as much as nginx in front of a function: a third of the machine went to the
// client, and every target in front of a function competed with it for what was left. wrk's CPU is measured and
// reported the same way.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult } from './throughput.js';

export interface WrkRun {
  /** The URL for every request, or the origin when `paths` is given. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationSeconds: number;
  /** A JSON array of request paths: each request goes to one picked at random (seeded: the same sequence per seed). */
  readonly pathsFile?: string | undefined;
  readonly seed?: number | undefined;
  /** Where the run's Lua script is written. */
  readonly workDir: string;
}

/** wrk's version line, or undefined when it is not installed. */
export function wrkVersion(): string | undefined {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout}${r.stderr}`
    .split('\n')[0]
    ?.replace(/\s+Copyright.*$/, '')
    .trim();
}

const luaString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;

function script(run: WrkRun): string {
  const lines = Object.entries(run.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  if (run.pathsFile) {
    const paths = JSON.parse(readFileSync(run.pathsFile, 'utf8')) as string[];
    lines.push(
      `local paths = {${paths.map(luaString).join(',')}}`,
      `math.randomseed(${(run.seed ?? 1) >>> 0})`,
      'request = function() return wrk.format("GET", paths[math.random(#paths)]) end',
    );
  }
  // One JSON line at the end; latencies are in microseconds, exact (wrk keeps every one in an HdrHistogram).
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'{"wrk":{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"mean":%.3f,"p50":%d,"p90":%d,"p97_5":%d,"p99":%d,"p99_9":%d,"max":%d}}\\n\',',
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency.mean,',
    '    latency:percentile(50), latency:percentile(90), latency:percentile(97.5), latency:percentile(99), latency:percentile(99.9), latency.max))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  mean: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  p99_9: number;
  max: number;
}

/** One run; its CPU is wrk's own user+system time, read by the shell that waited for it (`times`). */
export function runWrk(run: WrkRun): Promise<LoadResult> {
  const file = path.join(run.workDir, `wrk-${process.pid}-${Date.now()}.lua`);
  writeFileSync(file, script(run));
  const url = run.pathsFile ? new URL('/', run.url).href : run.url;
  const args = ['-t1', `-c${run.connections}`, `-d${run.durationSeconds}s`, '--timeout', '10s', '-s', file, url];
  return new Promise((resolve, reject) => {
    // `times` prints the shell's and then its children's CPU: the second line is wrk's.
    const proc = spawn('bash', ['-c', 'wrk "$@" && times', 'wrk', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk ${args.join(' ')} exited ${code}:\n${err}${out}`));
      const line = out.split('\n').find((l) => l.startsWith('{"wrk":'));
      const times = out
        .trim()
        .split('\n')
        .slice(-1)[0]
        ?.match(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/);
      if (!line || !times) return reject(new Error(`wrk's output was not understood:\n${out}`));
      const s = (JSON.parse(line) as { wrk: WrkSummary }).wrk;
      const cpuMs = (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000;
      const seconds = s.durationUs / 1e6;
      const ms = (us: number) => us / 1000;
      resolve({
        requestsMean: s.requests / seconds,
        requestsStddev: 0,
        requestsTotal: s.requests,
        durationSeconds: seconds,
        ok: s.requests - s.status,
        non2xx: s.status,
        errors: s.connect + s.read + s.write,
        timeouts: s.timeout,
        statuses: {},
        latencyMs: { mean: ms(s.mean), p50: ms(s.p50), p90: ms(s.p90), p97_5: ms(s.p97_5), p99: ms(s.p99), p99_9: ms(s.p99_9), max: ms(s.max) },
        autocannonLatencyMs: { p50: ms(s.p50), p97_5: ms(s.p97_5), p99: ms(s.p99), max: ms(s.max) },
        loadCpuMs: cpuMs,
        loadCpuTotalMs: cpuMs,
      });
    });
  });
}
