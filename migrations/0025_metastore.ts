import type { Kysely } from 'kysely';
import { runStatements } from './statements.js';

/**
 * The Hive metastore (functions/metastore). A metastore database is a namespace of a warehouse, and a metastore
 * table is a catalog object of kind 'hive' beside the namespace's Iceberg tables and views, so one name is one object
 * whichever API made it, and discovery, tags and data policies find it by the same warehouse.namespace.name.
 *
 * A hive object's `metadata` is JSON: {"table": the metastore's Table (without its names), "schema": its columns,
 * partition keys last, in the shape of an Iceberg schema ({"fields": [{"id", "name", "type", "doc"}]}) so the
 * discovery functions of 0003 index them with no change (catalog_current_schema falls back to metadata->'schema').
 * Its `metadata_location` is the table's storage location ('' for a view).
 *
 * Partitions are rows of their own: a table may have tens of thousands, listed by value and by filter. Their
 * `name` is Hive's (k1=v1/k2=v2, values escaped as Hive escapes path names), unique per table. Column statistics are
 * kept per table (partition_name null) or per partition, and go with their partition.
 *
 * metastore_changes numbers every change the metastore committed: get_current_notificationEventId answers its last
 * value, which a client compares to see whether anything changed.
 */
const statements = `
    alter table catalog_objects drop constraint catalog_objects_kind_check;
    alter table catalog_objects add constraint catalog_objects_kind_check check (kind in ('table', 'view', 'hive'));

    create table metastore_partitions (
      object_id uuid not null references catalog_objects (id) on delete cascade,
      name text collate "C" not null,
      values text[] not null,
      location text,
      partition text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now()),
      primary key (object_id, name)
    );
    create index metastore_partitions_values_idx on metastore_partitions (object_id, values);

    create table metastore_column_statistics (
      object_id uuid not null references catalog_objects (id) on delete cascade,
      partition_name text collate "C",
      column_name text collate "C" not null,
      column_type text not null,
      statistics text not null,
      last_analyzed bigint,
      foreign key (object_id, partition_name) references metastore_partitions (object_id, name) on delete cascade on update cascade
    );
    create unique index metastore_column_statistics_key on metastore_column_statistics (object_id, coalesce(partition_name, ''), column_name);

    create sequence metastore_changes;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, statements);
}
