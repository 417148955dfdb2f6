import { sql, type Kysely } from 'kysely';

/**
 * Down-scoped storage access for a warehouse's clients. credential_vending gains `sts`: loadTable hands out
 * short-lived credentials from STS AssumeRole, with a session policy that reaches only the table's files, instead of
 * the warehouse's own keys. `sts` holds the role to assume (ARN, external id, STS endpoint and region, lifetime);
 * never a secret: the keys that assume the role stay where credentials_ref points. remote_signing lets clients have
 * their S3 requests signed by the catalog, one request at a time, for the table they loaded.
 */
const statements = [
  `alter table warehouses drop constraint if exists warehouses_credential_vending_check`,
  `alter table warehouses add constraint warehouses_credential_vending_check check (credential_vending in ('none', 'static', 'sts'))`,
  `alter table warehouses add column sts jsonb`,
  `alter table warehouses add column remote_signing boolean not null default false`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
