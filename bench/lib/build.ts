import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { childEnv, runNode } from './proc.js';

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** What code was measured, for the report: a commit, or the working tree and how far it is from its commit. */
export function codeUnderTest(root: string, ref: string | undefined): string {
  try {
    if (ref) return `commit ${git(root, 'rev-parse', '--short', `${ref}^{commit}`)} (\`--ref=${ref}\`: git archive, built in a temporary directory)`;
    const head = git(root, 'rev-parse', '--short', 'HEAD');
    const dirty = git(root, 'status', '--porcelain', '--untracked-files=all')
      .split('\n')
      .filter((l) => l.trim() && !l.slice(3).startsWith('bench/'));
    return dirty.length === 0
      ? `the working tree at commit ${head}, clean outside bench/`
      : `the working tree at commit ${head} with ${dirty.length} uncommitted or untracked files outside bench/ (they are in the build)`;
  } catch {
    return 'the working tree (not a git checkout)';
  }
}

/**
 * The code to run: the working tree (built into dist/ unless `build` is false), or a commit exported next to a link
 * to this checkout's node_modules and built there. Returns the directory whose dist/ holds the build.
 */
export async function prepareBuild(root: string, tmpDir: string, ref: string | undefined, build: boolean, progress: (msg: string) => void): Promise<string> {
  if (!ref) {
    if (build) {
      progress('building dist/ from the working tree (scripts/build.mjs)');
      await runNode(['scripts/build.mjs'], childEnv({}), root);
    }
    return root;
  }
  const dir = path.join(tmpDir, 'src');
  mkdirSync(dir);
  const sha = git(root, 'rev-parse', `${ref}^{commit}`);
  progress(`exporting ${sha.slice(0, 10)} and building it in ${dir}`);
  execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  await runNode(['scripts/build.mjs'], childEnv({}), dir);
  return dir;
}

/** Accepts every CloudEvent a cluster-mode server POSTs (cluster mode needs a broker URL); 127.0.0.1, in this process. */
export async function startSink(): Promise<{ url: string; server: Server; received: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, server, received: () => n };
}

export function autocannonVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}

/** DATABASE_URL as a command line shows it in the report: the password replaced by an ellipsis. */
export function redactedDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}${u.password ? ':…' : ''}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '…';
  }
}
