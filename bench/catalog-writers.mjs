// Concurrent Iceberg writers, run by bench/catalog.ts as their own process (like bench/load.mjs for reads). Each
// writer does what an engine's append does against a REST catalog: load the table, then commit one new snapshot
// (add-snapshot + set-snapshot-ref main) with the requirement assert-ref-snapshot-id main = the snapshot it loaded.
// A 409 means another writer landed first: the writer loads again and retries, up to maxRetries times.
//
// Input: one JSON argument {base, paths, writers, targetCommits, maxSeconds, maxRetries, headers, seed}: base is
// http://127.0.0.1:PORT, paths the tables' REST paths (one path: every writer on one table; several: each commit
// goes to a table picked at random). Writers stop once targetCommits logical commits have been started (each then
// lands, or gives up after maxRetries conflicts) or maxSeconds have passed. Output: one JSON line on stdout.
import { randomUUID } from 'node:crypto';
import http from 'node:http';

const o = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(o.base);
if (url.hostname !== '127.0.0.1') throw new Error('catalog-writers sends traffic to 127.0.0.1 only');
const agent = new http.Agent({ keepAlive: true, maxSockets: o.writers });

let seed = (o.seed ?? 7) >>> 0 || 7;
function nextRandom() {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
}

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = { ...o.headers, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port: url.port, path, method, headers, agent, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Snapshot ids below 2^53, so JSON.parse reads them back exactly; random, so runs and writers never collide. */
function newSnapshotId() {
  return 1 + Math.floor(nextRandom() * 2 ** 21) * 2 ** 31 + Math.floor(nextRandom() * 2 ** 31);
}

function commitBody(metadata) {
  const parent = metadata['current-snapshot-id'] === -1 || metadata['current-snapshot-id'] == null ? null : metadata['current-snapshot-id'];
  const previous = parent === null ? undefined : metadata.snapshots.find((s) => s['snapshot-id'] === parent);
  const totalRecords = Number(previous?.summary?.['total-records'] ?? 0) + 1000;
  const totalFiles = Number(previous?.summary?.['total-data-files'] ?? 0) + 2;
  const id = newSnapshotId();
  const snapshot = {
    'snapshot-id': id,
    ...(parent !== null ? { 'parent-snapshot-id': parent } : {}),
    'sequence-number': Number(metadata['last-sequence-number']) + 1,
    'timestamp-ms': Date.now(),
    'manifest-list': `${metadata.location}/metadata/snap-${id}-1-${randomUUID()}.avro`,
    summary: {
      operation: 'append',
      'added-data-files': '2',
      'added-records': '1000',
      'added-files-size': '81234',
      'changed-partition-count': '1',
      'total-records': String(totalRecords),
      'total-files-size': String(totalFiles * 40617),
      'total-data-files': String(totalFiles),
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
    },
    'schema-id': metadata['current-schema-id'],
  };
  return JSON.stringify({
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
    updates: [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
  });
}

const stats = { started: 0, landed: 0, conflicts: 0, gaveUp: 0, commitPosts: 0, loads: 0, statuses: {}, failures: [], landedMs: [], postMs: [] };
const deadline = performance.now() + o.maxSeconds * 1000;
let stop = false;

function fail(what, r) {
  stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
  if (stats.failures.length < 5) stats.failures.push(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
}

async function writer() {
  while (!stop && stats.started < o.targetCommits && performance.now() < deadline) {
    stats.started++;
    const path = o.paths.length === 1 ? o.paths[0] : o.paths[Math.floor(nextRandom() * o.paths.length)];
    const t0 = performance.now();
    let landed = false;
    for (let attempt = 0; attempt <= o.maxRetries && !stop; attempt++) {
      const loaded = await request('GET', path);
      stats.loads++;
      if (loaded.status !== 200) {
        fail('load', loaded);
        break;
      }
      const r = await request('POST', path, commitBody(JSON.parse(loaded.text).metadata));
      stats.commitPosts++;
      stats.postMs.push(r.ms);
      if (r.status === 200) {
        landed = true;
        break;
      }
      if (r.status === 409) {
        stats.conflicts++;
        continue;
      }
      fail('commit', r);
      break;
    }
    if (landed) {
      stats.landed++;
      stats.landedMs.push(performance.now() - t0);
    } else if (!stop) stats.gaveUp++;
    // A server that fails commits outright (not 409) is broken for this test: stop rather than hammer it.
    if (stats.failures.length >= 5) stop = true;
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const summary = (xs) => {
  const s = Float64Array.from(xs).sort();
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN };
};

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(Array.from({ length: o.writers }, () => writer()));
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
agent.destroy();
process.stdout.write(
  JSON.stringify({
    wallMs,
    started: stats.started,
    landed: stats.landed,
    conflicts: stats.conflicts,
    gaveUp: stats.gaveUp,
    commitPosts: stats.commitPosts,
    loads: stats.loads,
    statuses: stats.statuses,
    failures: stats.failures,
    timedOut: performance.now() >= deadline && stats.started < o.targetCommits,
    landedMs: summary(stats.landedMs),
    postMs: summary(stats.postMs),
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    loadCpuTotalMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
  }) + '\n',
);
