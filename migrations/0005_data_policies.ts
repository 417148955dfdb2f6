import type { Kysely } from 'kysely';
import { runStatements } from './statements.js';

/**
 * Data access policies (Apache Ranger's model). A policy is stored whole as the JSON document its schema validates
 * (shared/policy/data-access/policy-schema.ts); every change is also written to the history with its version.
 * policy_state holds the version of the whole set: every change bumps it in the same transaction, so a process that
 * has loaded version N knows whether it is current (and Ranger plugins get it as policyVersion).
 *
 * The seeded policy gives the platform's admins (role `admin`) every access on everything, as Ranger's default
 * "all - ..." policies give the service's admin user: without it a fresh platform would deny its admin the catalog.
 */
const statements = `
    create table data_policies (
      id uuid primary key,
      name text not null,
      type text not null check (type in ('access', 'masking', 'row-filter')),
      enabled boolean not null,
      document jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      created_by text,
      updated_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_by text
    );
    create unique index data_policies_name_key on data_policies (lower(name));

    create table data_policy_history (
      id bigserial primary key,
      policy_id uuid not null,
      version integer not null,
      change text not null check (change in ('create', 'update', 'delete')),
      document jsonb not null,
      set_version bigint not null,
      changed_at timestamptz not null default date_trunc('milliseconds', now()),
      changed_by text
    );
    create index data_policy_history_policy_idx on data_policy_history (policy_id, version desc);

    create table policy_state (
      id integer primary key check (id = 1),
      data_policy_version bigint not null,
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    insert into policy_state (id, data_policy_version) values (1, 1);

    insert into data_policies (id, name, type, enabled, document, created_by, updated_by)
    values ('00000000-0000-4000-8000-000000000001', 'all - warehouse, namespace, table, column', 'access', true,
      '{"name":"all - warehouse, namespace, table, column","description":"Platform admins (role admin) may do everything with all data. Shipped with Lakeplane; edit or disable it like any other policy.","type":"access","enabled":true,"auditEnabled":true,"priority":"normal","resources":{"warehouse":{"values":["*"],"excludes":false,"recursive":false},"namespace":{"values":["*"],"excludes":false,"recursive":true},"table":{"values":["*"],"excludes":false,"recursive":false},"column":{"values":["*"],"excludes":false,"recursive":false}},"allow":[{"users":[],"groups":[],"roles":["admin"],"accesses":["all"],"delegateAdmin":true}],"deny":[],"allowExceptions":[],"denyExceptions":[],"masks":[],"rowFilters":[],"validity":[],"labels":["default"]}'::jsonb,
      'lakeplane', 'lakeplane');
    insert into data_policy_history (policy_id, version, change, document, set_version, changed_by)
    select id, 1, 'create', document, 1, 'lakeplane' from data_policies;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, statements);
}
