import { sql, type Kysely } from 'kysely';

/**
 * The decision log: policy decisions the policies ask to audit (a data policy's auditEnabled; every control
 * denial), with the input, the answer and the versions that gave it. Written in batches off the request path.
 */
const statements = [
  `create table policy_decision_log (
    id bigserial primary key,
    at timestamptz not null default date_trunc('milliseconds', now()),
    kind text not null check (kind in ('data', 'control')),
    principal text not null,
    action text not null,
    resource text not null,
    allowed boolean not null,
    policy_id uuid,
    policy_version integer,
    set_version bigint not null,
    input jsonb not null,
    result jsonb not null
  )`,
  `create index policy_decision_log_at_idx on policy_decision_log (at desc, id desc)`,
  `create index policy_decision_log_principal_idx on policy_decision_log (principal, at desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
