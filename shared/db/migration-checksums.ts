import { sql } from 'kysely';
import { MIGRATION_CHECKSUMS } from '../../migrations/checksums.js';
import type { Db } from './database.js';

/**
 * Kysely refuses a history that lost a migration, but not one whose migration was edited after it ran: the change
 * would never reach a database that applied the old text, and the two would differ silently. So the checksum of each
 * migration file (migrations/checksums.ts) is recorded as it is applied, and a start against a database that
 * applied a migration whose file has changed since is refused, naming it.
 */
export class MigrationChangedError extends Error {}

const TABLE = 'lakeplane_migration_checksums';
// Any constant of our own: concurrent starters serialize their first creation of the table and its recording.
const LOCK_KEY = 0x1a4e_c5a1;

function checksumOf(name: string): string {
  const sum = MIGRATION_CHECKSUMS[name];
  if (!sum) throw new MigrationChangedError(`migration ${name} has no checksum in migrations/checksums.ts: run \`npm run migrations:checksums\``);
  return sum;
}

async function tableExists(db: Db, name: string): Promise<boolean> {
  const r = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(db);
  return r.rows[0]?.found === true;
}

/**
 * Compares what the database applied with the migration files of this build. `record`: also records the checksums
 * of applied migrations that have none yet (a database from before checksums, or migrations just applied); without
 * it (a process that does not migrate) nothing is written.
 */
export async function checkAppliedMigrations(db: Db, options: { record: boolean }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (options.record) {
      await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
      await sql
        .raw(`create table if not exists ${TABLE} (name text primary key, checksum text not null, recorded_at timestamptz not null default now())`)
        .execute(tx);
    } else if (!(await tableExists(tx, TABLE))) {
      return;
    }
    if (!(await tableExists(tx, 'lakeplane_migrations'))) return;
    const applied = await sql<{ name: string; checksum: string | null }>`
      select m.name, c.checksum from lakeplane_migrations m left join ${sql.table(TABLE)} c on c.name = m.name order by m.name`.execute(tx);
    const changed = applied.rows.filter((r) => r.checksum !== null && MIGRATION_CHECKSUMS[r.name] !== undefined && r.checksum !== MIGRATION_CHECKSUMS[r.name]);
    if (changed.length > 0) {
      throw new MigrationChangedError(
        `refusing to start: migration${changed.length > 1 ? 's' : ''} ${changed.map((r) => r.name).join(', ')} changed after this database applied ${changed.length > 1 ? 'them' : 'it'}. ` +
          'A migration is never edited once released: restore its file and add a new migration for the change.',
      );
    }
    const unrecorded = applied.rows.filter((r) => r.checksum === null && MIGRATION_CHECKSUMS[r.name] !== undefined);
    if (options.record && unrecorded.length > 0) {
      await tx
        .insertInto(TABLE as never)
        .values(unrecorded.map((r) => ({ name: r.name, checksum: checksumOf(r.name) })) as never)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}

/** Every migration of this build has a checksum: checked before anything is applied. */
export function checkMigrationChecksumsKnown(names: readonly string[]): void {
  for (const name of names) checksumOf(name);
}
