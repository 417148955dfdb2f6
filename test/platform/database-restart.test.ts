/**
 * PostgreSQL restarts (or fails over) under commit load. The platform process must live through it: requests in
 * flight get 503 with a body in their route's error shape, the pool reconnects by itself, the server answers
 * afterwards without a restart of its own, and every commit it acknowledged is in the catalog.
 *
 * The server runs as a separate process (bin/serve.ts, as `npm start` runs it) on a PostgreSQL server of this
 * test's own (test/support/private-postgres.ts): the shared server of DATABASE_URL must never go down. Both of
 * pg_ctl's restart modes are exercised: 'fast' ends sessions with FATAL 57P01, 'immediate' drops them as a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsx, type TsxChild } from '../support/child.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';

const bin = postgresBinDir();
if (!bin) missingPrerequisite('the PostgreSQL restart suite', 'no PostgreSQL server binaries under /usr/lib/postgresql (Debian: apt-get install postgresql)');

const ADMIN_PASSWORD = 'restart-test-admin-password';
const WRITERS = 6;

interface Answer {
  status: number;
  body: any;
}

describe.skipIf(!bin)('PostgreSQL restarted under commit load', () => {
  let pg: PrivatePostgres;
  let server: TsxChild;
  let url: string;
  let token: string;
  let prefix: string;
  let root: string;

  async function call(method: string, pathname: string, body?: unknown): Promise<Answer> {
    const response = await fetch(url + pathname, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    pg = await startPrivatePostgres(bin!);
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-restart-'));
    server = spawnTsx('bin/serve.ts', {
      LAKEPLANE_MODE: 'embedded',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: pg.url,
      DATABASE_POOL_MAX: '8',
      LAKEPLANE_DATA_DIR: path.join(root, 'data'),
      LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LAKEPLANE_LOG_LEVEL: 'info',
      LAKEPLANE_EVENT_POLL_MS: '200',
    });
    const listening = await server.message((m) => m['msg'] === 'lakeplane listening', 60_000);
    url = listening['url'] as string;
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    token = ((await login.json()) as { access_token: string }).access_token;
    expect((await call('POST', '/api/v1/warehouses', { name: 'wh', storageLocation: pathToFileURL(path.join(root, 'wh')).href })).status).toBe(201);
    prefix = (await call('GET', '/iceberg/v1/config?warehouse=wh')).body.overrides.prefix;
    expect((await call('POST', `/iceberg/v1/${prefix}/namespaces`, { namespace: ['db'] })).status).toBe(200);
    for (let w = 0; w < WRITERS; w++) {
      const created = await call('POST', `/iceberg/v1/${prefix}/namespaces/db/tables`, {
        name: `t${w}`,
        schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
      });
      expect(created.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    if (server && server.process.exitCode === null) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    pg?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('keeps the process, answers 503 while the server is away, reconnects, and loses no acknowledged commit', async () => {
    const acknowledged: string[][] = Array.from({ length: WRITERS }, () => []);
    const refused: Answer[] = [];
    let stop = false;

    // Each writer commits to its own table (no conflicts between writers): one property per commit.
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const key = `c${i}`;
        let answer: Answer;
        try {
          answer = await call('POST', `/iceberg/v1/${prefix}/namespaces/db/tables/t${w}`, {
            requirements: [],
            updates: [{ action: 'set-properties', updates: { [key]: 'x' } }],
          });
        } catch (err) {
          throw new Error(`the server dropped a connection instead of answering: ${String(err)}; stderr:\n${server.stderr()}`, { cause: err });
        }
        if (answer.status === 200) acknowledged[w]!.push(key);
        else refused.push(answer);
      }
    };
    const load = Array.from({ length: WRITERS }, (_, w) => writer(w));

    const committedSoFar = () => acknowledged.reduce((n, keys) => n + keys.length, 0);
    const waitForCommits = async (more: number) => {
      const target = committedSoFar() + more;
      const deadline = Date.now() + 60_000;
      while (committedSoFar() < target) {
        if (Date.now() > deadline) throw new Error(`commits stalled at ${committedSoFar()}; refused: ${JSON.stringify(refused.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    try {
      await waitForCommits(30);
      pg.restart('fast');
      await waitForCommits(30);
      pg.restart('immediate');
      await waitForCommits(30);
    } finally {
      stop = true;
      await Promise.all(load);
    }

    // The process lived through both restarts and still answers, on the same port, without being restarted.
    expect(server.process.exitCode).toBeNull();
    expect(server.stderr()).not.toMatch(/Unhandled 'error' event|uncaught/i);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // What failed, failed as "try again": 503 in Iceberg's error shape, never a 500 or a dropped connection.
    for (const answer of refused) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body.error).toMatchObject({ code: 503, type: 'ServiceUnavailableException' });
    }

    // Every acknowledged commit is in the table.
    for (let w = 0; w < WRITERS; w++) {
      const table = await call('GET', `/iceberg/v1/${prefix}/namespaces/db/tables/t${w}`);
      expect(table.status).toBe(200);
      const properties = table.body.metadata.properties as Record<string, string>;
      const missing = acknowledged[w]!.filter((key) => properties[key] !== 'x');
      expect(missing, `table t${w}: acknowledged commits missing`).toEqual([]);
    }
  }, 240_000);

  it('a platform API request while PostgreSQL is down gets 503 problem+json with Retry-After', async () => {
    pg.restart('fast'); // leaves every pooled connection dead
    const answer = await fetch(`${url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    // The pool reconnects on use, so right after the restart the request succeeds or, if it met a dead connection,
    // says to retry; both are fine. What must never happen is a 500 or a dropped connection.
    expect([200, 503]).toContain(answer.status);
    if (answer.status === 503) {
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(((await answer.json()) as { status: number }).status).toBe(503);
    }
    expect((await fetch(`${url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  }, 120_000);
});
