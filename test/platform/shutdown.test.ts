/**
 * Shutdown is bounded. On SIGTERM the server stops taking requests, lets those in flight finish within
 * LAKEPLANE_SHUTDOWN_GRACE_SECONDS, answers the ones still running 503 after it, ends the database connections they
 * hold, and exits; a request stuck forever must not keep the process (and the pod) alive.
 *
 * The server runs as a separate process (bin/serve.ts, as `npm start` runs it) on a scratch database of the
 * PostgreSQL server of DATABASE_URL. A request is made to hang for real: another connection holds an ACCESS
 * EXCLUSIVE lock on the table GET /api/v1/users reads, in an open transaction.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsx, type TsxChild } from '../support/child.js';
import { createScratchDatabase } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) missingPrerequisite('the shutdown suite', 'DATABASE_URL is not set (CI installs and starts PostgreSQL and sets it)');

const ADMIN_PASSWORD = 'shutdown-test-admin-password';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET over node:http, so the test sees the connection header and tells an answer from a dropped connection. */
function get(url: string, options: { token?: string; agent: http.Agent | false }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: options.agent, headers: options.token ? { authorization: `Bearer ${options.token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * A connection opened now whose request is completed later, by `finish()`: the way a request can still reach a
 * server that stopped listening. Resolves with the raw answer once the server closes the connection.
 */
async function halfSentRequest(url: string): Promise<{ finish(): Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let raw = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(raw)));
  socket.write(`GET /healthz HTTP/1.1\r\nhost: ${hostname}\r\n`);
  return {
    finish() {
      socket.write('\r\n');
      return ended;
    },
  };
}

/** `promise`, or a failure naming what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every process descending from `pid`, read from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...; comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      continue; // ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!databaseUrl)('shutdown with a request stuck on a database lock', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let root: string;
  let server: TsxChild | undefined;
  let locker: pg.Client | undefined;
  let keepAlive: http.Agent | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-shutdown-'));
  }, 60_000);

  afterEach(async () => {
    keepAlive?.destroy();
    if (server && server.process.exitCode === null && server.process.signalCode === null) {
      server.process.kill('SIGKILL');
      await server.exited;
    }
    await locker?.query('rollback').catch(() => undefined);
    await locker?.end().catch(() => undefined);
    server = undefined;
    locker = undefined;
  });

  afterAll(async () => {
    await scratch?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Starts bin/serve.ts, signs the admin in, and leaves one idle keep-alive connection open to the server. */
  async function start(graceSeconds: number): Promise<{ url: string; token: string }> {
    server = spawnTsx('bin/serve.ts', {
      LAKEPLANE_MODE: 'embedded',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: scratch.url,
      LAKEPLANE_DATA_DIR: path.join(root, 'data'),
      LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LAKEPLANE_LOG_LEVEL: 'info',
      LAKEPLANE_SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
    });
    const url = (await server.message((m) => m['msg'] === 'lakeplane listening', 120_000))['url'] as string;
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { access_token: string }).access_token;
    keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
    expect((await get(`${url}/healthz`, { agent: keepAlive })).status).toBe(200);
    return { url, token };
  }

  /** Holds ACCESS EXCLUSIVE on users in an open transaction, so a request that reads the table waits. */
  async function lockUsers(): Promise<pg.Client> {
    locker = new pg.Client({ connectionString: scratch.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table users in access exclusive mode');
    return locker;
  }

  /** Resolves once a session of the server waits for the lock, i.e. the request is stuck in the database. */
  async function waitUntilBlocked(client: pg.Client): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'",
      );
      if (rows[0]!.n > 0) return;
      if (Date.now() > deadline) throw new Error('the request never waited for the lock');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a request that finishes within the grace gets its answer, new connections are refused, and the process exits 0', async () => {
    const { url, token } = await start(30);
    const lock = await lockUsers();
    const pending = get(`${url}/api/v1/users`, { token, agent: keepAlive! });
    let settled = false;
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitUntilBlocked(lock);
    const late = await halfSentRequest(url);

    server!.process.kill('SIGTERM');
    await server!.message((m) => m['msg'] === 'shutting down', 10_000);

    // Draining: a new connection is refused (the listener is closed) or, at most, answered 503.
    const probe = await get(`${url}/healthz`, { agent: false }).then(
      (answer) => answer.status,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(['ECONNREFUSED', 503]).toContain(probe);
    // A request completed only now, on a connection opened before, is not taken on either: 503, and the
    // connection closes.
    const refused = await within(late.finish(), 10_000, 'an answer to the request sent while draining');
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(refused).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);

    // The stuck request is still given its time: nothing answered it, and the process is still up.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(settled).toBe(false);
    expect(server!.process.exitCode).toBeNull();

    await lock.query('rollback');
    const answer = await within(pending, 10_000, 'the answer after the lock was released');
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body).items.map((u: { username: string }) => u.username)).toContain('admin');
    // It was the connection's last answer: no further request is sent on a connection about to close.
    expect(answer.headers['connection']).toBe('close');

    // Neither the idle keep-alive connection nor the pool holds the process: it exits promptly, and cleanly.
    const exit = await within(server!.exited, 10_000, 'the exit after the last request was answered');
    expect(exit, server!.stderr()).toEqual({ code: 0, signal: null });
  }, 240_000);

  it('a request still stuck after the grace gets 503 problem+json, and the process exits within a bound', async () => {
    const graceSeconds = 2;
    const { url, token } = await start(graceSeconds);
    const lock = await lockUsers();
    const pending = get(`${url}/api/v1/users`, { token, agent: keepAlive! }).catch((err: unknown) => err as Error);
    await waitUntilBlocked(lock);
    const pid = server!.process.pid!;
    const children = descendantsOf(pid);

    const signalled = Date.now();
    server!.process.kill('SIGTERM');

    // A definite answer, not a hang and not a dropped connection: 503 in problem+json, saying to retry.
    const answer = await within(pending, 15_000, 'an answer to the stuck request');
    if (answer instanceof Error) throw new Error(`the stuck request lost its connection instead of an answer: ${String(answer)}; stderr:\n${server!.stderr()}`);
    const answeredAfter = Date.now() - signalled;
    expect(answer.status, answer.body).toBe(503);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'https://lakeplane.dev/problems/unavailable', status: 503 });
    // Not before the grace was up.
    expect(answeredAfter).toBeGreaterThanOrEqual(graceSeconds * 1000 - 100);

    // The lock is never released, yet the process ends: the pool's connection stuck under the lock is ended
    // (an exit code of 1 would mean the watchdog had to end it).
    const exit = await within(server!.exited, 20_000, 'the exit of the server');
    const exitedAfter = Date.now() - signalled;
    expect(exit, server!.stderr()).toEqual({ code: 0, signal: null });
    expect(exitedAfter).toBeLessThan(10_000);
    expect(alive(pid)).toBe(false);
    for (const child of children) expect(alive(child), `child process ${child} of the server`).toBe(false);
  }, 240_000);
});
