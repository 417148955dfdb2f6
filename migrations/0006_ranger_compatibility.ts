import { sql, type Kysely } from 'kysely';

/**
 * What Apache Ranger's APIs need beside our own: numeric policy ids (Ranger's public API and its plugins address
 * policies by a long; our uuid is their guid), and a version of the role memberships that plugins download (role
 * `admin` is the platform's admins, so any change to who is an admin bumps it, whichever function made it).
 */
const statements = [
  `create sequence data_policies_ranger_id_seq`,
  `alter table data_policies add column ranger_id bigint not null default nextval('data_policies_ranger_id_seq')`,
  `alter sequence data_policies_ranger_id_seq owned by data_policies.ranger_id`,
  `create unique index data_policies_ranger_id_key on data_policies (ranger_id)`,
  `alter table policy_state add column role_version bigint not null default 1`,
  `alter table policy_state add column roles_updated_at timestamptz not null default date_trunc('milliseconds', now())`,
  `create function lakeplane_bump_role_version() returns trigger language plpgsql as $$
    begin
      update policy_state set role_version = role_version + 1, roles_updated_at = date_trunc('milliseconds', now()) where id = 1;
      return null;
    end $$`,
  `create trigger users_admin_roles after insert or delete or update of is_admin, username, active on users
    for each statement execute function lakeplane_bump_role_version()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
