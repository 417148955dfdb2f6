import { sql, type Kysely } from 'kysely';

/** A job's trigger token for CI/CD systems (POST /api/v1/jobs/{id}/trigger): only its SHA-256 is kept. */
const statements = [
  `alter table jobs add column trigger_token_hash text`,
  `alter table jobs add column trigger_token_created_at timestamptz`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
