import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Db } from './database.js';

/**
 * Applies migrations/ in order. Kysely's migrator takes a Postgres advisory lock inside a transaction, so two
 * processes starting together apply each migration once; it refuses a history it does not know (edited or removed
 * migrations), which keeps migrations forward-only.
 */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
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
  return result;
}
