import { sql, type Kysely } from 'kysely';

/**
 * Control policy bundles (OPA bundles with a wasm policy) uploaded by admins, and which one is in force. No active
 * bundle means the one shipped with Lakeplane. Every activation (or rollback) is a row of its own, so the history
 * says what was in force when, and bumps policy_state.control_version, which every process watches.
 */
const statements = [
  `create table control_policy_bundles (
    id uuid primary key,
    version integer not null,
    digest text not null,
    revision text not null default '',
    description text not null default '',
    archive bytea not null,
    uploaded_at timestamptz not null default date_trunc('milliseconds', now()),
    uploaded_by text
  )`,
  `create unique index control_policy_bundles_version_key on control_policy_bundles (version)`,
  `create table control_policy_activations (
    id bigserial primary key,
    bundle_id uuid references control_policy_bundles (id) on delete restrict,
    kind text not null check (kind in ('activate', 'rollback')),
    control_version bigint not null,
    activated_at timestamptz not null default date_trunc('milliseconds', now()),
    activated_by text
  )`,
  `alter table policy_state add column control_bundle_id uuid references control_policy_bundles (id) on delete restrict`,
  `alter table policy_state add column control_version bigint not null default 1`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
