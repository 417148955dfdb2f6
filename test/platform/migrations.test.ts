import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { checkAppliedMigrations, migrateToLatest, openMetadataStore } from '../../shared/db/index.js';
import { migrations } from '../../migrations/index.js';
import { createScratchDatabase } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';

function runMigrateProcess(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/migrate.ts'], {
      env: { ...process.env, ...env },
      cwd: path.resolve(import.meta.dirname, '../..'),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Tests that run bin/migrate.ts as processes wait for them to exit, however long a loaded machine takes (each starts
 * tsx and PGlite): their time limit only guards against a hang, it is not a budget.
 */
const PROCESSES_GUARD_MS = 300_000;

describe('migrations', () => {
  it('names sort in the order they apply', () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
    for (const n of names) expect(n).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });

  it(
    'apply once on PGlite, and a second run is a no-op (`npm run migrate` on a data dir)',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-migrate-'));
      const first = await runMigrateProcess({ LAKEPLANE_DATA_DIR: dir, DATABASE_URL: '' });
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ database: 'pglite', applied: Object.keys(migrations) });
      const second = await runMigrateProcess({ LAKEPLANE_DATA_DIR: dir, DATABASE_URL: '' });
      expect(JSON.parse(second.stdout).applied).toEqual([]);
    },
    PROCESSES_GUARD_MS,
  );

  it(
    'two processes migrating one PostgreSQL database at once apply each migration exactly once',
    async () => {
      if (!process.env['DATABASE_URL']) {
        missingPrerequisite('concurrent migration test', 'DATABASE_URL is not set');
        return;
      }
      const scratch = await createScratchDatabase();
      try {
        const results = await Promise.all([1, 2, 3].map(() => runMigrateProcess({ DATABASE_URL: scratch.url })));
        for (const r of results) expect(r.code, r.stderr).toBe(0);
        const applied = results.flatMap((r) => JSON.parse(r.stdout).applied as string[]);
        expect(applied.sort()).toEqual(Object.keys(migrations).sort());
        const store = await openMetadataStore({ databaseUrl: scratch.url });
        const rows = await sql<{ name: string }>`select name from lakeplane_migrations`.execute(store.db);
        expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
        expect((await migrateToLatest(store.db)).results).toEqual([]);
        await store.close();
      } finally {
        await scratch.drop();
      }
    },
    PROCESSES_GUARD_MS,
  );

  it('migrations/checksums.ts matches the migration files (run `npm run migrations:checksums` after adding one)', async () => {
    const check = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['scripts/migration-checksums.mjs', '--check'], { cwd: path.resolve(import.meta.dirname, '../..') });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(check.code, check.stderr).toBe(0);
  });

  it(
    'a start against a database whose applied migration was edited is refused, naming it; an older database adopts the checksums',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-migrate-'));
      expect((await runMigrateProcess({ LAKEPLANE_DATA_DIR: dir, DATABASE_URL: '' })).code).toBe(0);
      // What the database recorded when it applied 0005 differs from this build's file: the file was edited since.
      let store = await openMetadataStore({ dataDir: dir });
      await sql`update lakeplane_migration_checksums set checksum = 'sha256 of the text it applied' where name = '0005_data_policies'`.execute(store.db);
      await expect(checkAppliedMigrations(store.db, { record: false })).rejects.toThrow(/migration 0005_data_policies changed after this database applied it/);
      await store.close();
      const refused = await runMigrateProcess({ LAKEPLANE_DATA_DIR: dir, DATABASE_URL: '' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refusing to start: migration 0005_data_policies changed after this database applied it/);
      // A database migrated before checksums existed has none recorded: the first start records this build's.
      store = await openMetadataStore({ dataDir: dir });
      await sql`drop table lakeplane_migration_checksums`.execute(store.db);
      await store.close();
      const adopted = await runMigrateProcess({ LAKEPLANE_DATA_DIR: dir, DATABASE_URL: '' });
      expect(adopted.code, adopted.stderr).toBe(0);
      store = await openMetadataStore({ dataDir: dir });
      const recorded = await sql<{ name: string }>`select name from lakeplane_migration_checksums order by name`.execute(store.db);
      expect(recorded.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
      await store.close();
    },
    PROCESSES_GUARD_MS,
  );

  it('a migration that fails leaves nothing half-applied', async () => {
    const store = await openMetadataStore({ dataDir: 'memory://' });
    await migrateToLatest(store.db);
    await expect(
      store.db.transaction().execute(async (tx) => {
        await sql`create table half_done (id int)`.execute(tx);
        await sql`select * from table_that_does_not_exist`.execute(tx);
      }),
    ).rejects.toThrow();
    const exists = await sql<{ n: string }>`select count(*)::text as n from information_schema.tables where table_name = 'half_done'`.execute(store.db);
    expect(exists.rows[0]?.n).toBe('0');
    await store.close();
  });
});
