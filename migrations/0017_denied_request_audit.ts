import { sql, type Kysely } from 'kysely';

/**
 * Denied and anonymous failed requests are audited as one row per (client address, principal or anonymous, route,
 * status) and window, with how many there were and when the last came (shared/audit/audit-trail.ts), so
 * unauthenticated traffic cannot fill the table. aggregate_key names that group and window; the unique index lets
 * every replica add to the same row in one statement.
 */
const statements = [
  `alter table audit_log add column client_address text`,
  `alter table audit_log add column occurrences integer not null default 1`,
  `alter table audit_log add column last_at timestamptz`,
  `alter table audit_log add column last_request_id text`,
  `alter table audit_log add column aggregate_key text`,
  `create unique index audit_log_aggregate_key on audit_log (aggregate_key) where aggregate_key is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
