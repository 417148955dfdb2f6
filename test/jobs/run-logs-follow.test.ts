import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINT, findInteropPython, findSparkJava } from '../interop/interop.js';
import { startHttpServer, type TestHttpServer } from '../support/http-server.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { waitFor } from '../support/wait.js';

/**
 * GET /api/v1/runs/{id}/logs?follow=true through real HTTP: the driver log streamed as it grows (chunked
 * text/plain) until the attempt has ended, then the answer ends; a client that leaves stops the follower (no file
 * left open, the upstream request closed). On the local runtime with a real spark-submit running a Python job that
 * prints a line every 300 ms; on the Kubernetes runtime against a double of the pod log endpoint (the CRD-only API
 * server of the other suites serves no Pods).
 */

/** Reads a streamed answer chunk by chunk, noting when each arrived. */
async function readStream(r: Response, onChunk?: (text: string) => boolean | void): Promise<{ text: string; arrivals: Array<{ at: number; text: string }> }> {
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  const arrivals: Array<{ at: number; text: string }> = [];
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const piece = decoder.decode(value, { stream: true });
    text += piece;
    arrivals.push({ at: Date.now(), text: piece });
    if (onChunk?.(text)) {
      await reader.cancel();
      break;
    }
  }
  return { text, arrivals };
}

/** The files this process holds open (Linux): a follower that stopped holds none of its log. */
function openFiles(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

const python = findInteropPython(['pyspark']);
const java = findSparkJava();
const missing = [python, java].filter((f) => !f.ok).map((f) => (f.ok ? '' : f.why));
if (missing.length > 0) missingPrerequisite('following a driver log on the local runtime', `${missing.join('; ')}; ${INSTALL_HINT}`);

const TICKER = `
import sys, time
n = int(sys.argv[1])
for i in range(1, n + 1):
    print(f"tick {i} of {n}", flush=True)
    time.sleep(0.3)
print("ticker done", flush=True)
`;

describe.skipIf(missing.length > 0)('following a driver log on the local runtime (real spark-submit)', () => {
  let p: TestPlatform;
  let admin: string;
  let dir: string;
  let logDir: string;
  const call = (method: string, url: string, body?: unknown) => p.call(method, url, { token: admin, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-follow-'));
    logDir = path.join(dir, 'runs');
    writeFileSync(path.join(dir, 'ticker.py'), TICKER);
    const sparkSubmit = path.join(path.dirname(python.ok ? python.value : ''), 'spark-submit');
    p = await startPlatform('pglite', {
      env: { LAKEPLANE_SPARK_SUBMIT: sparkSubmit, LAKEPLANE_JOBS_SUPERVISE_MS: '300', LAKEPLANE_SPARK_MASTER: 'local[1]', LAKEPLANE_JOBS_LOG_DIR: logDir },
    });
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startTicker(name: string, lines: number) {
    const job = await call('POST', '/api/v1/jobs', {
      name,
      type: 'python',
      mainApplicationFile: path.join(dir, 'ticker.py'),
      arguments: [String(lines)],
      driver: { memory: '512m' },
      sparkConf: { 'spark.ui.enabled': 'false' },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const run = await call('POST', `/api/v1/jobs/${job.body.id}/runs`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const id = run.body.id as string;
    // The log file exists once spark-submit is started; until then there is no log to follow (404).
    await waitFor(`run ${id} to have a log`, async () => (await call('GET', `/api/v1/runs/${id}/logs?tail=1`)).status === 200, {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    return id;
  }
  const followUrl = (id: string, extra = '') => `${p.url}/api/v1/runs/${id}/logs?follow=true${extra}`;

  it('streams the lines as they are printed and ends when the run has ended', async () => {
    const id = await startTicker('ticker', 25);
    const r = await fetch(followUrl(id), { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    const { text, arrivals } = await readStream(r);
    const ticks = text.split('\n').filter((l) => /^tick \d+ of 25$/.test(l));
    expect(ticks, text).toEqual(Array.from({ length: 25 }, (_, i) => `tick ${i + 1} of 25`));
    expect(text).toContain('ticker done');
    // Followed, not read at the end: the ticks came over seconds, in several chunks.
    const withTicks = arrivals.filter((a) => a.text.includes('tick '));
    expect(withTicks.length).toBeGreaterThan(3);
    expect(withTicks.at(-1)!.at - withTicks[0]!.at).toBeGreaterThan(2000);
    // The answer ended because the run did.
    const run = await call('GET', `/api/v1/runs/${id}`);
    expect(run.body.state).toBe('SUCCEEDED');
    // Following an ended run's log gives its last lines and ends at once, the same lines tail gives.
    const again = await fetch(followUrl(id, '&tail=2'), { headers: { authorization: `Bearer ${admin}` } });
    const tail = await call('GET', `/api/v1/runs/${id}/logs?tail=2`);
    expect(tail.body.split('\n')).toHaveLength(2);
    expect(await again.text()).toBe(`${tail.body}\n`);
    expect(text.endsWith(`${tail.body}\n`)).toBe(true);
  }, 300_000);

  it('a client that leaves stops the follower: the log file is closed', async () => {
    const id = await startTicker('ticker-left', 200);
    const controller = new AbortController();
    const r = await fetch(followUrl(id), { headers: { authorization: `Bearer ${admin}` }, signal: controller.signal });
    expect(r.status).toBe(200);
    const logFiles = () => openFiles().filter((f) => f.startsWith(logDir));
    await readStream(r, (text) => text.includes('tick 3 of 200'));
    expect(logFiles()).toHaveLength(1); // the follower's
    controller.abort();
    await waitFor('the follower to close the log file', async () => logFiles().length === 0, { timeoutMs: 10_000, intervalMs: 100 });
    // Still running: the run is not affected by a reader leaving.
    expect(['SUBMITTED', 'RUNNING']).toContain((await call('GET', `/api/v1/runs/${id}`)).body.state);
    const jobId = (await call('GET', `/api/v1/runs/${id}`)).body.jobId;
    expect((await call('POST', `/api/v1/jobs/${jobId}/runs/${id}/cancel`)).status).toBe(200);
  }, 300_000);

  it('no log is a 404; no credential a 401', async () => {
    const job = await call('POST', '/api/v1/jobs', { name: 'never-runs', type: 'python', mainApplicationFile: path.join(dir, 'ticker.py') });
    const missingRun = await fetch(`${p.url}/api/v1/runs/00000000-0000-4000-8000-000000000000/logs?follow=true`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(missingRun.status).toBe(404);
    expect(job.status).toBe(201);
    expect((await fetch(`${p.url}/api/v1/runs/00000000-0000-4000-8000-000000000000/logs?follow=true`)).status).toBe(401);
  });
});

/**
 * The pod log endpoint as the API server serves it, in what we use: 404 with a Status for a pod not there; the last
 * tailLines lines; with follow=true a chunked stream of the lines as the container writes them, ended when it ends.
 */
class PodLogDouble {
  readonly pods = new Map<string, { lines: string[]; ended: boolean; followers: Set<ServerResponse> }>();
  readonly requests: URL[] = [];
  closedFollowers = 0;
  server!: TestHttpServer;

  async start(): Promise<void> {
    this.server = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://double');
      this.requests.push(url);
      if (req.method === 'POST' && /\/sparkapplications$/.test(url.pathname)) {
        req.resume();
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
      const pod = m ? this.pods.get(m[2]!) : undefined;
      if (!m || !pod) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `pods "${m?.[2]}" not found`, reason: 'NotFound', code: 404 }));
        return;
      }
      const tail = url.searchParams.get('tailLines');
      const lines = tail ? pod.lines.slice(-Number(tail)) : pod.lines;
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const l of lines) res.write(`${l}\n`);
      if (url.searchParams.get('follow') !== 'true' || pod.ended) {
        res.end();
        return;
      }
      pod.followers.add(res);
      res.once('close', () => {
        pod.followers.delete(res);
        this.closedFollowers += 1;
      });
    });
  }

  write(pod: string, line: string): void {
    const p = this.pods.get(pod)!;
    p.lines.push(line);
    for (const f of p.followers) f.write(`${line}\n`);
  }

  end(pod: string): void {
    const p = this.pods.get(pod)!;
    p.ended = true;
    for (const f of p.followers) f.end();
  }
}

describe('following a driver log on the Kubernetes runtime (a pod log endpoint double)', () => {
  const double = new PodLogDouble();
  let p: TestPlatform;
  let admin: string;
  let dir: string;
  const call = (method: string, url: string, body?: unknown) => p.call(method, url, { token: admin, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    await double.start();
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-podlog-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: double, cluster: {server: "${double.server.url}", insecure-skip-tls-verify: true}}]
users: [{name: nobody, user: {}}]
contexts: [{name: double, context: {cluster: double, user: nobody}}]
current-context: double
`,
    );
    p = await startPlatform('pglite', {
      env: {
        LAKEPLANE_JOBS_RUNTIME: 'kubernetes',
        LAKEPLANE_KUBECONFIG: kubeconfig,
        LAKEPLANE_JOBS_NAMESPACE: 'jobs-ns',
        LAKEPLANE_JOBS_SUPERVISE_MS: '60000',
      },
    });
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    await double.server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function submittedRun(name: string) {
    const job = await call('POST', '/api/v1/jobs', { name, type: 'python', mainApplicationFile: 'local:///app.py' });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const run = await call('POST', `/api/v1/jobs/${job.body.id}/runs`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const id = run.body.id as string;
    const detail = await waitFor(
      `run ${id} submitted`,
      async () => {
        const r = await call('GET', `/api/v1/runs/${id}`);
        return r.body.attemptDetails[0]?.submittedAt ? r.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    return { id, pod: `${detail.attemptDetails[0].name}-driver` as string };
  }

  it("streams the driver pod's log through the API until the container ends; tail and 404 as before", async () => {
    const { id, pod } = await submittedRun('on-k8s');
    expect((await call('GET', `/api/v1/runs/${id}/logs?follow=true`)).status).toBe(404); // no pod yet
    double.pods.set(pod, { lines: ['line 1', 'line 2', 'line 3'], ended: false, followers: new Set() });

    const r = await fetch(`${p.url}/api/v1/runs/${id}/logs?follow=true&tail=2`, { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    let step = 0;
    const seen = readStream(r, (text) => {
      // Each new line is written only after the previous one arrived: it was followed, not read at the end.
      if (text.includes('line 3') && step === 0) {
        step = 1;
        double.write(pod, 'line 4');
      } else if (text.includes('line 4') && step === 1) {
        step = 2;
        double.write(pod, 'line 5');
        double.end(pod);
      }
    });
    const { text } = await seen;
    expect(text).toBe('line 2\nline 3\nline 4\nline 5\n');
    const asked = [...double.requests].reverse().find((u) => u.pathname.endsWith(`/pods/${pod}/log`) && u.searchParams.get('follow') === 'true')!;
    expect(asked.pathname).toBe(`/api/v1/namespaces/jobs-ns/pods/${pod}/log`);
    expect(Object.fromEntries(asked.searchParams)).toMatchObject({ follow: 'true', tailLines: '2', container: 'spark-kubernetes-driver' });

    const tail = await call('GET', `/api/v1/runs/${id}/logs?tail=2`);
    expect(tail.status).toBe(200);
    expect(tail.body).toBe('line 4\nline 5\n');
  });

  it('a client that leaves closes the request to the API server', async () => {
    const { id, pod } = await submittedRun('on-k8s-left');
    double.pods.set(pod, { lines: ['first'], ended: false, followers: new Set() });
    const closedBefore = double.closedFollowers;
    const controller = new AbortController();
    const r = await fetch(`${p.url}/api/v1/runs/${id}/logs?follow=true`, { headers: { authorization: `Bearer ${admin}` }, signal: controller.signal });
    await readStream(r, (text) => text.includes('first'));
    controller.abort();
    await waitFor('the upstream log request to close', async () => double.closedFollowers > closedBefore, { timeoutMs: 10_000, intervalMs: 50 });
    expect(double.pods.get(pod)!.followers.size).toBe(0);
  });
});
