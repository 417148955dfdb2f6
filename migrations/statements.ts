import { sql, type Kysely } from 'kysely';

/**
 * Runs a migration's SQL one statement per round trip: PGlite's extended protocol takes no multi-statement
 * strings. Statements are separated by a semicolon at the end of a line.
 */
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  for (const statement of script
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}
