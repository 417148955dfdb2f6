import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { childEnv, runNode } from './proc.js';

export interface BenchDatabase {
  url: string;
  /** True when a scratch database was created (and is dropped at the end). */
  scratch: boolean;
  drop(): Promise<void>;
}

/**
 * A fresh database on the server of DATABASE_URL, so the bench neither sees nor leaves rows in anyone's data, with
 * the migrations applied by dist/migrate.js (what the cluster's migration Job runs). Falls back to DATABASE_URL
 * itself if the role may not create databases.
 */
export async function prepareDatabase(baseUrl: string): Promise<BenchDatabase> {
  const name = `lakeplane_bench_${randomBytes(5).toString('hex')}`;
  let url = baseUrl;
  let scratch = false;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const u = new URL(baseUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    scratch = true;
  } catch (err) {
    process.stderr.write(`bench: cannot create a scratch database (${(err as Error).message}); using DATABASE_URL as is\n`);
  } finally {
    await admin.end();
  }
  await runNode(['dist/migrate.js'], childEnv({ DATABASE_URL: url }));
  return {
    url,
    scratch,
    async drop() {
      if (!scratch) return;
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The server's version string, for the report. */
export async function serverVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ server_version: string }>('show server_version');
    return r.rows[0]?.server_version ?? 'unknown';
  } finally {
    await c.end();
  }
}
