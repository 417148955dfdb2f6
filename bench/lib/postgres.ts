import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { childEnv, runNode } from './proc.js';

export interface BenchDatabase {
  url: string;
  /** The scratch database's name (it shows in the process titles of the PostgreSQL backends serving it). */
  name: string;
  /** True when a scratch database was created (and is dropped at the end). */
  scratch: boolean;
  drop(): Promise<void>;
}

/**
 * A fresh database on the server of DATABASE_URL, so the bench neither sees nor leaves rows in anyone's data, with
 * the migrations applied by dist/migrate.js of the build under test (what the cluster's migration Job runs). If the
 * role may not create databases this fails (the caller skips PostgreSQL): benchmarking in DATABASE_URL's own
 * database would write a bench admin, tokens and audit rows into it, and an existing admin's password would not
 * match the bench's.
 */
export async function prepareDatabase(baseUrl: string, migrateEntry = 'dist/migrate.js'): Promise<BenchDatabase> {
  const name = `lakeplane_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } catch (err) {
    throw new Error(`cannot create a scratch database on the server of DATABASE_URL (${(err as Error).message})`, { cause: err });
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const drop = async () => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(`drop database if exists ${name} with (force)`);
    } finally {
      await c.end();
    }
  };
  try {
    await runNode([migrateEntry], childEnv({ DATABASE_URL: url }));
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return { url, name, scratch: true, drop };
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
