import { sql, type Kysely } from 'kysely';

/**
 * Per-principal request rates the gateway enforces (a token bucket per token or service account): a personal access
 * token or a service account may carry a ceiling in requests per second. Null: no ceiling of its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table personal_access_tokens add column max_requests_per_second double precision check (max_requests_per_second > 0)`.execute(db);
  await sql`alter table service_accounts add column max_requests_per_second double precision check (max_requests_per_second > 0)`.execute(db);
}
