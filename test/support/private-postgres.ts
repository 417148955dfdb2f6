import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

/**
 * A PostgreSQL server of the test's own (Debian's binaries, as scripts/start-postgres.sh uses), for tests that
 * restart or stop the server: the shared server of DATABASE_URL serves every other test file and must never go down.
 */
export interface PrivatePostgres {
  readonly url: string;
  /** pg_ctl restart: 'fast' ends sessions with FATAL 57P01; 'immediate' drops them as a crash would. */
  restart(mode: 'fast' | 'immediate'): void;
  stop(): void;
}

/** The newest installed server's bin directory, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (existsSync(path.join(bin, 'pg_ctl')) && existsSync(path.join(bin, 'initdb'))) return bin;
  }
  return undefined;
}

export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-private-pg-'));
  const data = path.join(dir, 'data');
  // The server refuses to run as root: run its tools as the postgres user the package created.
  const run = (tool: string, args: string[]) => {
    const file = path.join(bin, tool);
    const result = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8' }) : spawnSync(file, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  };
  if (asRoot) {
    chmodSync(dir, 0o777);
    execFileSync('chown', ['postgres:', dir]);
  }
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', options, 'start']);
  start();
  execFileSync(path.join(bin, 'psql'), [
    '-q',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-c',
    "create role lakeplane login superuser password 'lakeplane'",
    '-c',
    'create database lakeplane owner lakeplane',
  ]);
  return {
    url: `postgres://lakeplane:lakeplane@127.0.0.1:${port}/lakeplane`,
    restart(mode) {
      run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-m', mode, '-o', options, 'restart']);
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
