// The load generator, run by bench/run.ts as its own process so it never shares an event loop (or a core's time
// slice, as far as the scheduler allows) with the server under test. Plain JavaScript on purpose: no tsx loader in
// the measuring process, and autocannon ships no types.
//
// Input: one JSON argument {url, headers, connections, duration, pathsFile?, seed?, method?, body?}. With pathsFile (a JSON array of
// request paths), every request goes to a path picked at random (a seeded PRNG) from that list, on url's host.
// Output: one JSON line on stdout.
// Latency: autocannon's own histogram keeps whole milliseconds, too coarse for a 5 ms target, so every 2xx response
// time (float ms, from autocannon's 'response' event) is also kept here and the percentiles are computed exactly.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] ?? '{}');
const paths = opts.pathsFile ? JSON.parse(readFileSync(opts.pathsFile, 'utf8')) : undefined;
let seed = (opts.seed ?? 1) >>> 0 || 1;
/** xorshift32: the same sequence of paths for the same seed, whichever server is measured. */
function nextRandom() {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
}
const requests = paths
  ? [
      {
        setupRequest: (req) => {
          req.path = paths[Math.floor(nextRandom() * paths.length)];
          return req;
        },
      },
    ]
  : undefined;

function run(durationSeconds, record) {
  return new Promise((resolve, reject) => {
    let samples = new Float64Array(1 << 18);
    let n = 0;
    const statuses = {};
    const instance = autocannon(
      {
        url: opts.url,
        headers: opts.headers ?? {},
        connections: opts.connections,
        duration: durationSeconds,
        pipelining: 1,
        timeout: 10,
        ...(opts.method ? { method: opts.method } : {}),
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        ...(requests ? { requests } : {}),
      },
      (err, result) => (err ? reject(err) : resolve({ result, samples: samples.subarray(0, n), statuses })),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (!record || statusCode < 200 || statusCode > 299) return;
      if (n === samples.length) {
        const bigger = new Float64Array(samples.length * 2);
        bigger.set(samples);
        samples = bigger;
      }
      samples[n++] = responseTime;
    });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

const cpuBefore = process.cpuUsage();
const { result, samples, statuses } = await run(opts.duration, true);
const cpu = process.cpuUsage(cpuBefore);
const sorted = samples.slice().sort();
let sum = 0;
for (const v of sorted) sum += v;
process.stdout.write(
  JSON.stringify({
    requestsMean: result.requests.mean,
    requestsStddev: result.requests.stddev,
    requestsTotal: result.requests.total,
    // Response bytes received (headers and bodies), over every response.
    bytesTotal: result.throughput.total,
    durationSeconds: result.duration,
    ok: sorted.length,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    latencyMs: {
      mean: sorted.length ? sum / sorted.length : NaN,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p97_5: percentile(sorted, 97.5),
      p99: percentile(sorted, 99),
      p99_9: percentile(sorted, 99.9),
      max: sorted.length ? sorted[sorted.length - 1] : NaN,
    },
    autocannonLatencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    // Everything this process used, start-up and autocannon's import included: the parent subtracts it from the
    // machine's busy time to see what other processes took during the run.
    loadCpuTotalMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
  }) + '\n',
);
