import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'framework-cli-admin-password';

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The README's `npx functions-framework --source=dist/functions.js --target=iam`, after `npm run build`: the
 * framework's own CLI and server serve exactly the iam function. It used to fail with "Function 'iam' is not defined
 * in the provided module": the build bundled a copy of the framework, and the functions registered in that copy.
 * The build goes to a directory of its own (node_modules linked beside it, as in the repository), not to dist/.
 */
describe('the functions framework CLI on the build', () => {
  let dir: string;
  let framework: ChildProcess | undefined;
  let output = '';
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-ff-'));
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const built = await run(process.execPath, [path.join(root, 'scripts/build.mjs'), `--outdir=${path.join(dir, 'dist')}`], root);
    expect(built.code, built.output).toBe(0);

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    framework = spawn(path.join(dir, 'node_modules/.bin/functions-framework'), ['--source=dist/functions.js', '--target=iam', `--port=${port}`], {
      cwd: dir,
      env: { ...process.env, LAKEPLANE_DATA_DIR: 'memory://', DATABASE_URL: '', LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD, LAKEPLANE_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    framework.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    framework.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<never>((_, reject) => framework!.once('exit', (code) => reject(new Error(`functions-framework exited (${code}):\n${output}`))));
    // The platform is built on the first request (the framework has no start hook): /healthz answers once it is.
    await Promise.race([
      exited,
      waitFor('the framework to serve iam', async () => (await fetch(`${url}/healthz`)).status === 200, { timeoutMs: 180_000, intervalMs: 500 }),
    ]);
  }, 300_000);

  afterAll(async () => {
    if (framework && framework.exitCode === null) {
      const gone = new Promise((resolve) => framework!.once('exit', resolve));
      framework.kill('SIGTERM');
      await gone;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the iam function: the admin signs in and lists users; routes of other functions are not there', async () => {
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    expect(login.status, output).toBe(200);
    const token = ((await login.json()) as { access_token: string }).access_token;
    const users = await fetch(`${url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(users.status).toBe(200);
    expect(((await users.json()) as { items: Array<{ username: string }> }).items.map((u) => u.username)).toContain('admin');
    // The catalog is another function, deployed on its own.
    expect((await fetch(`${url}/api/v1/warehouses`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});
