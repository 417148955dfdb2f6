import { sql, type Kysely } from 'kysely';

/**
 * Token scopes (shared/auth/scopes.ts) that outlive one access token: a refresh token renews only the scope its first
 * access token had, and a personal access token may carry a scope. Null: no scope, the principal's full rights.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table refresh_tokens add column scope text`.execute(db);
  await sql`alter table personal_access_tokens add column scope text`.execute(db);
}
