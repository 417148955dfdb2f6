import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Db } from './database.js';
import { checkAppliedMigrations, checkMigrationChecksumsKnown } from './migration-checksums.js';

/**
 * Applies migrations/ in order. Kysely's migrator takes a Postgres advisory lock inside a transaction, so two
 * processes starting together apply each migration once, and it refuses a history that lost a migration. It does
 * not notice an applied migration whose file was edited: the recorded checksums do (migration-checksums.ts), before
 * anything is applied, and the ones just applied are recorded after.
 */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  checkMigrationChecksumsKnown(Object.keys(migrations));
  await checkAppliedMigrations(db, { record: true });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
    migrationTableName: 'lakeplane_migrations',
    migrationLockTableName: 'lakeplane_migrations_lock',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed: ${String(result.error)}`, { cause: result.error });
  }
  await checkAppliedMigrations(db, { record: true });
  return result;
}
