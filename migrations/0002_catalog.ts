import type { Kysely } from 'kysely';
import { runStatements } from './statements.js';

/**
 * The Iceberg REST catalog: warehouses, namespaces, tables and views (one table, so a table and a view can never
 * share a name), idempotency keys and metrics reports. Table and view metadata is kept as JSON text, not jsonb:
 * snapshot ids are 64-bit and must come back digit for digit, and loadTable sends the text as it is.
 */
const statements = `
    create table warehouses (
      id uuid primary key,
      name text collate "C" not null,
      storage_location text not null,
      storage jsonb not null default '{}',
      credentials_ref text,
      credential_vending text not null default 'none' check (credential_vending in ('none', 'static')),
      properties jsonb not null default '{}',
      description text,
      owner text,
      tags text[] not null default '{}',
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index warehouses_name_key on warehouses (name);

    create table namespaces (
      id uuid primary key,
      warehouse_id uuid not null references warehouses (id) on delete restrict,
      levels text[] not null,
      parent text[] not null,
      leaf text collate "C" not null,
      properties jsonb not null default '{}',
      description text,
      owner text,
      tags text[] not null default '{}',
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index namespaces_levels_key on namespaces (warehouse_id, levels);
    create index namespaces_children_idx on namespaces (warehouse_id, parent, leaf);

    create table catalog_objects (
      id uuid primary key,
      warehouse_id uuid not null references warehouses (id) on delete restrict,
      namespace_id uuid not null references namespaces (id) on delete restrict,
      name text collate "C" not null,
      kind text not null check (kind in ('table', 'view')),
      metadata_location text not null,
      metadata text not null,
      description text,
      owner text,
      tags text[] not null default '{}',
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index catalog_objects_name_key on catalog_objects (namespace_id, name);
    create index catalog_objects_kind_idx on catalog_objects (namespace_id, kind, name);

    create table catalog_idempotency_keys (
      key uuid primary key,
      operation text not null,
      principal text not null,
      status integer not null,
      body text,
      created_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create index catalog_idempotency_keys_age_idx on catalog_idempotency_keys (created_at);

    create table catalog_metrics_reports (
      id uuid primary key,
      object_id uuid not null references catalog_objects (id) on delete cascade,
      report_type text not null,
      snapshot_id text not null,
      report text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create index catalog_metrics_reports_object_idx on catalog_metrics_reports (object_id, created_at);
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, statements);
}
