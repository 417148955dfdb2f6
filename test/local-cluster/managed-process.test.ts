import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../bin/local-cluster/managed-process.js';
import { freePort } from '../../bin/local-cluster/local-ports.js';

/** A one-line HTTP server on PORT answering /readyz, as a function does. */
const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

/**
 * The local cluster takes a function as ready when its readiness URL answers 200. On a busy machine another program
 * may hold the function's port: its answer must not count, or the cluster would route to a stranger.
 */
describe.skipIf(process.platform !== 'linux')("a managed process's readiness", () => {
  let dir: string;
  let stranger: Server;
  let taken: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-managed-'));
    // Any port will do for the stranger: the kernel's pick, held (listening) before the test begins.
    stranger = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve, reject) => {
      stranger.once('error', reject);
      stranger.listen(0, '127.0.0.1', () => resolve());
    });
    taken = (stranger.address() as { port: number }).port;
  });
  afterAll(() => {
    stranger?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const processOn = (port: number, exits: string[]) =>
    new ManagedProcess(
      {
        name: 'probe',
        command: process.execPath,
        args: ['-e', SERVER],
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', PORT: String(port) },
        logFile: path.join(dir, `probe-${port}.log`),
        readyUrl: `http://127.0.0.1:${port}/readyz`,
        readyTimeoutMs: 20_000,
      },
      (report) => exits.push(report.name),
    );

  it('is not given by another program that holds its port: the start fails with why', async () => {
    const exits: string[] = [];
    const probe = processOn(taken, exits);
    await expect(probe.start()).rejects.toThrow(/probe exited while starting[\s\S]*EADDRINUSE/);
    expect(exits).toEqual(['probe']);
  }, 30_000);

  it('is given by the process itself once it listens', async () => {
    const probe = processOn(await freePort(), []);
    await probe.start();
    expect(probe.running).toBe(true);
    await probe.stop(2_000);
    expect(probe.running).toBe(false);
  }, 30_000);
});
