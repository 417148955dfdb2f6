import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsx, type TsxChild } from '../support/child.js';
import { freePort } from '../support/ports.js';

/**
 * A second `npm start` on a data directory a server is using, or on a port that is taken, is refused in one line,
 * before it opens anything: it used to die with PGlite's `RuntimeError: Aborted()` (another port), or with an
 * EADDRINUSE stack trace once its migrations were done (the same port). Servers are real processes (bin/serve.ts, as
 * `npm start` runs it) on PGlite, the embedded default.
 */
const ADMIN_PASSWORD = 'single-instance-admin-password';

describe('one server per data directory and port', () => {
  let root: string;
  let port: number;
  let first: TsxChild;
  const dataDir = () => path.join(root, 'data');

  function serve(env: Record<string, string>): TsxChild {
    return spawnTsx('bin/serve.ts', {
      LAKEPLANE_MODE: 'embedded',
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LAKEPLANE_LOG_LEVEL: 'info',
      ...env,
    });
  }

  /** The refusal: exit 1, one line on stderr, and not one log line (it stopped before opening the store). */
  async function refused(child: TsxChild): Promise<string> {
    const exit = await child.exited;
    const lines = child.stderr().trim().split('\n');
    expect(exit, child.stderr()).toEqual({ code: 1, signal: null });
    expect(lines, child.stderr()).toHaveLength(1);
    expect(child.messages()).toEqual([]);
    return lines[0]!;
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-single-'));
    port = await freePort();
    first = serve({ PORT: String(port), LAKEPLANE_DATA_DIR: dataDir() });
    await first.message((m) => m['msg'] === 'lakeplane listening', 180_000);
  }, 240_000);

  afterAll(async () => {
    if (first && first.process.exitCode === null && first.process.signalCode === null) {
      first.process.kill('SIGKILL');
      await first.exited;
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a second server on the same data directory (another port) says which process uses it, in one line', async () => {
    const second = serve({ PORT: '0', LAKEPLANE_DATA_DIR: dataDir() });
    const line = await refused(second);
    expect(line).toBe(
      `Another Lakeplane (pid ${first.process.pid}) is using the data directory ${dataDir()}: stop it, or set LAKEPLANE_DATA_DIR to another directory.`,
    );
    // The first one was not disturbed.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 120_000);

  it('a second server on the same port (another data directory) says the port is in use, in one line', async () => {
    const second = serve({ PORT: String(port), LAKEPLANE_DATA_DIR: path.join(root, 'other') });
    expect(await refused(second)).toBe(`Port ${port} on 127.0.0.1 is in use by another process: stop it, or set PORT to another port.`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 120_000);

  it('`npm run migrate` on the data directory of a running server is refused the same way', async () => {
    const migrate = spawnTsx('bin/migrate.ts', { DATABASE_URL: '', LAKEPLANE_DATA_DIR: dataDir() });
    expect(await refused(migrate)).toMatch(new RegExp(`^Another Lakeplane \\(pid ${first.process.pid}\\) is using the data directory `));
  }, 120_000);

  it('the lock goes with a clean stop, and a crashed server leaves nothing that blocks the next start', async () => {
    const lockFile = path.join(dataDir(), 'lakeplane.lock');
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: first.process.pid });
    first.process.kill('SIGTERM');
    expect((await first.exited).code, first.stderr()).toBe(0);
    expect(existsSync(lockFile)).toBe(false);

    // A crash: SIGKILL leaves the lock file behind, naming a process that is gone; the next start takes it over.
    const crashed = serve({ PORT: '0', LAKEPLANE_DATA_DIR: dataDir() });
    await crashed.message((m) => m['msg'] === 'lakeplane listening', 180_000);
    crashed.process.kill('SIGKILL');
    await crashed.exited;
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: crashed.process.pid });
    const next = serve({ PORT: '0', LAKEPLANE_DATA_DIR: dataDir() });
    try {
      await next.message((m) => m['msg'] === 'lakeplane listening', 180_000);
      expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: next.process.pid });
    } finally {
      next.process.kill('SIGTERM');
      await next.exited;
    }
  }, 480_000);
});
