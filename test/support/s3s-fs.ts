import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { missingPrerequisite } from './prerequisites.js';
import { freePort } from './ports.js';

/**
 * s3s-fs (scripts/install-s3s-fs.sh builds it): an S3 server over a directory that checks every request's SigV4
 * signature against the one key pair it is started with. The remote-signing suites start it with fresh random keys
 * that only the catalog under test is given (through a credentialsRef), so a request reaches it only with a
 * signature Lakeplane made.
 */
export interface S3sFs {
  endpoint: string;
  region: string;
  /** The only keys it accepts: give them to the catalog, never to a client under test. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The directory it serves: a bucket is a folder, an object a file. */
  root: string;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

const VERSION = '0.14.0';

/** The binary, or undefined after saying loudly what is skipped. */
export function findS3sFs(what: string): string | undefined {
  const bin =
    process.env['LAKEPLANE_S3S_FS_BIN'] ??
    path.join(process.env['LAKEPLANE_CACHE_DIR'] ?? path.join(os.homedir(), '.cache', 'lakeplane'), `s3s-fs-${VERSION}`, 'bin', 's3s-fs');
  if (existsSync(bin)) return bin;
  missingPrerequisite(what, `s3s-fs is not installed at ${bin} (run scripts/install-s3s-fs.sh; CI does)`);
  return undefined;
}

export async function startS3sFs(bin: string): Promise<S3sFs> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'lakeplane-s3s-'));
  const credentials = { accessKeyId: `LP${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(24).toString('base64url') };
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    // `--name=value`: a base64url secret may begin with '-', which the argument parser would take for a flag (CI saw
    // "unexpected argument '-i' found" once in 64 runs or so).
    ['--host=127.0.0.1', `--port=${port}`, `--access-key=${credentials.accessKeyId}`, `--secret-key=${credentials.secretAccessKey}`, '--', root],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`s3s-fs exited with ${child.exitCode}: ${stderr}`);
    const up = await fetch(endpoint).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`s3s-fs did not answer on ${endpoint} within 15 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    region: 'us-east-1',
    credentials,
    root,
    createBucket: async (name) => {
      await mkdir(path.join(root, name), { recursive: true });
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
