import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { missingPrerequisite } from './prerequisites.js';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; real PostgreSQL too when DATABASE_URL names a server (CI starts one). */
export function backends(): Backend[] {
  if (process.env['DATABASE_URL']) return ['pglite', 'postgres'];
  missingPrerequisite('the PostgreSQL runs of the integration suites', 'DATABASE_URL is not set (CI installs and starts PostgreSQL and sets it)');
  return ['pglite'];
}

/** A fresh database on the server of DATABASE_URL, so test files never see each other's rows. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env['DATABASE_URL'];
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `lakeplane_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
