import { sql, type Kysely } from 'kysely';

/**
 * Failed credentials at the token endpoint, counted per key so every replica on the database sees the same counts:
 * a user name from one address, an address, a client_id, the whole platform per minute. The key is a SHA-256, so a
 * password typed into the user name field is not kept. A row is worthless after expires_at and swept then, which
 * bounds the table by the failures of one reset period. users.failed_logins and locked_until are no longer read:
 * they let anyone lock any user out.
 */
const statements = [
  `create table credential_failures (
    key text primary key,
    scope text not null check (scope in ('account', 'address', 'client', 'global')),
    failures integer not null,
    blocked_until timestamptz,
    expires_at timestamptz not null
  )`,
  `create index credential_failures_expiry_idx on credential_failures (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
