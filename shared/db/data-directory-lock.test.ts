import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirectoryInUseError, lockDataDirectory } from './data-directory-lock.js';

describe('the data directory lock', () => {
  let dir: string;
  const lockFile = () => path.join(dir, 'lakeplane.lock');
  const holder = () => JSON.parse(readFileSync(lockFile(), 'utf8')) as { pid: number; host: string; startTime: string | null };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is held once: a second taker is told who holds it, until the holder releases it', () => {
    const lock = lockDataDirectory(dir);
    expect(holder()).toMatchObject({ pid: process.pid, host: hostname() });
    const refused = (() => {
      try {
        lockDataDirectory(dir);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(DataDirectoryInUseError);
    expect((refused as Error).message).toBe(
      `Another Lakeplane (pid ${process.pid}) is using the data directory ${dir}: stop it, or set LAKEPLANE_DATA_DIR to another directory.`,
    );
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
    lockDataDirectory(dir).release();
  });

  it('takes over the lock of a process that is gone', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lockFile(), JSON.stringify({ pid: Number(gone.stdout), host: hostname(), startTime: null }));
    const lock = lockDataDirectory(dir);
    expect(holder().pid).toBe(process.pid);
    lock.release();
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock whose pid now belongs to a process started at another time', () => {
    writeFileSync(lockFile(), JSON.stringify({ pid: process.pid, host: hostname(), startTime: '1' }));
    const lock = lockDataDirectory(dir);
    expect(holder()).toMatchObject({ pid: process.pid });
    expect(holder().startTime).not.toBe('1');
    lock.release();
  });

  it('believes a holder on another host (a shared volume): it cannot be checked from here', () => {
    writeFileSync(lockFile(), JSON.stringify({ pid: 4242, host: 'elsewhere', startTime: null }));
    expect(() => lockDataDirectory(dir)).toThrow(/^Another Lakeplane \(pid 4242 on elsewhere\) is using the data directory /);
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const lock = lockDataDirectory(dir);
    writeFileSync(lockFile(), JSON.stringify({ pid: 4242, host: 'elsewhere', startTime: null }));
    lock.release();
    expect(holder().pid).toBe(4242);
  });
});
