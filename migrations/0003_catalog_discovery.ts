import { sql, type Kysely } from 'kysely';

/**
 * Catalog discovery: column annotations and full-text search over warehouses, namespaces, tables, views and columns.
 *
 * Search documents are tsvectors with the 'simple' configuration (names are not English words, so no stemming and no
 * stop words), weighted A name, B tags, C description, D column names. Text is split at punctuation and at camelCase
 * boundaries, and names also keep a squashed form, so 'cust' (prefix match), 'customer id', 'customerId' and
 * 'customerid' all find customer_id. functions/catalog/domain/search-query.ts splits queries the same way.
 *
 * - warehouses, namespaces and catalog_objects get a STORED GENERATED search_document. For a table or view it
 *   includes the column names of the CURRENT schema, read from the metadata JSON text with jsonb path functions, so
 *   a commit that adds a column is searchable the moment it commits, with nothing in the commit code.
 * - catalog_columns holds one row per column of every table's and view's current schema (nested struct fields by
 *   their dotted Iceberg name), kept by a trigger on catalog_objects that only rewrites the rows when the current
 *   schema changed (an append commit costs one hash). It is derived data: catalog_columns_refresh() rebuilds it.
 * - catalog_column_annotations keeps descriptions and tags of columns by Iceberg field id, which survives renames
 *   and is never reused; it goes with its table or view (on delete cascade).
 *
 * Measured with bench/catalog-search.ts (2,000 tables of 30 columns, 9 KB of metadata each), PGlite 0.4 / PostgreSQL
 * 15: computing the documents at query time costs 0.8-1.9 s / 0.6-1.9 s per search, the stored documents answer in
 * 9-81 ms / 6-60 ms (the slow end: a prefix matching 7,700 tables and columns, all ranked). Finding matching columns
 * by expanding the metadata of matching tables at query time took up to 1.4 s / 1.5 s; hence catalog_columns. The
 * price is on writes: a commit that keeps the schema goes from 0.8 to 2.3 ms / 0.6 to 1.3 ms, one that changes it
 * from 1.1 to 6.4 ms / 0.5 to 4.4 ms, a create from 1.6 to 11 ms / 1.1 to 4.7 ms.
 *
 * Every function a generated column or the trigger calls is immutable in fact (its result depends on its arguments
 * only). They never fail a write: unreadable metadata leaves the column part empty and raises a warning. If one of
 * them is changed by a later migration, that migration must recompute the stored values (UPDATE ... SET metadata =
 * metadata, and SELECT catalog_columns_refresh(...)), since generated columns are computed on write only.
 */
const statements = [
  // Words of free text: camelCase split, punctuation (ASCII and Unicode) and white space become single spaces.
  String.raw`create function catalog_search_words(s text) returns text language sql immutable parallel safe strict as $$
    select regexp_replace(regexp_replace(s, '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'), '[[:punct:][:space:]]+', ' ', 'g')
  $$`,
  // Words of a name, plus each name squashed (customer_id -> customerid) so a query typed without separators matches.
  String.raw`create function catalog_search_name(s text) returns text language sql immutable parallel safe strict as $$
    select regexp_replace(regexp_replace(s, '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'), '[[:punct:][:space:]]+', ' ', 'g')
      || ' ' || regexp_replace(s, '[[:punct:]]+', '', 'g')
  $$`,
  `create function catalog_search_document(names text[], tags text[], description text, columns text) returns tsvector
    language sql immutable parallel safe set search_path from current as $$
    select setweight(to_tsvector('simple', coalesce(catalog_search_name(array_to_string(names, ' ')), '')), 'A')
        || setweight(to_tsvector('simple', coalesce(catalog_search_words(array_to_string(tags, ' ')), '')), 'B')
        || setweight(to_tsvector('simple', coalesce(catalog_search_words(description), '')), 'C')
        || setweight(to_tsvector('simple', coalesce(catalog_search_words(columns), '')), 'D')
  $$`,
  // The current schema of a table (current-schema-id; format v1 metadata may only have "schema") or of a view
  // (the schema of the current version).
  `create function catalog_current_schema(kind text, metadata jsonb) returns jsonb language sql immutable parallel safe as $$
    select case when kind = 'view'
      then jsonb_path_query_first(metadata, '$.schemas[*] ? (@."schema-id" == $.versions[*] ? (@."version-id" == $."current-version-id")."schema-id")')
      else coalesce(jsonb_path_query_first(metadata, '$.schemas[*] ? (@."schema-id" == $."current-schema-id")'), metadata->'schema')
    end
  $$`,
  // Every named field of a schema, nested struct fields included, by full Iceberg name (a.b, points.element.x, m.value.y).
  `create function catalog_schema_columns(schema jsonb)
    returns table (field_id integer, path text, doc text, type text, required boolean, ordinal integer)
    language sql immutable parallel safe as $$
    with recursive f(id, path, doc, type, required, named, ord) as (
      select (e->>'id')::integer, e->>'name', e->>'doc', e->'type', coalesce((e->>'required')::boolean, false), true, array[o]
        from jsonb_array_elements(case when jsonb_typeof(schema->'fields') = 'array' then schema->'fields' else '[]' end) with ordinality as t(e, o)
      union all
      select c.* from f cross join lateral (
        select (e->>'id')::integer, f.path || '.' || (e->>'name'), e->>'doc', e->'type', coalesce((e->>'required')::boolean, false), true, f.ord || o
          from jsonb_array_elements(case when f.type->>'type' = 'struct' and jsonb_typeof(f.type->'fields') = 'array' then f.type->'fields' else '[]' end) with ordinality as t(e, o)
        union all
        select (f.type->>'element-id')::integer, f.path || '.element', null, f.type->'element', coalesce((f.type->>'element-required')::boolean, false), false, f.ord || 1::bigint
          where f.type->>'type' = 'list'
        union all
        select (f.type->>'key-id')::integer, f.path || '.key', null, f.type->'key', true, false, f.ord || 1::bigint
          where f.type->>'type' = 'map'
        union all
        select (f.type->>'value-id')::integer, f.path || '.value', null, f.type->'value', coalesce((f.type->>'value-required')::boolean, false), false, f.ord || 2::bigint
          where f.type->>'type' = 'map'
      ) c
    )
    select id, path, doc, case when jsonb_typeof(type) = 'string' then type #>> '{}' else coalesce(type->>'type', 'unknown') end,
           required, (row_number() over (order by ord))::integer
      from f where named and id is not null and path is not null
  $$`,
  // The column names of the current schema as one text (capped: a tsvector must stay under 1 MB).
  `create function catalog_column_names(kind text, metadata text) returns text
    language plpgsql immutable parallel restricted set search_path from current as $$
    begin
      return left(jsonb_path_query_array(catalog_current_schema(kind, metadata::jsonb), 'strict $.** ? (exists (@.name)).name')::text, 200000);
    exception when others then
      raise warning 'catalog search: cannot read the column names of a %: %', kind, sqlerrm;
      return null;
    end
  $$`,

  `alter table warehouses add column search_document tsvector generated always as (catalog_search_document(array[name], tags, description, null)) stored`,
  `alter table namespaces add column annotation_version integer not null default 1`,
  `alter table namespaces add column annotated_at timestamptz`,
  `alter table namespaces add column search_document tsvector generated always as (catalog_search_document(levels, tags, description, null)) stored`,
  // Annotations have their own version: commits bump catalog_objects.version, and a table that commits every minute
  // must not turn every versioned annotation edit into a conflict.
  `alter table catalog_objects add column annotation_version integer not null default 1`,
  `alter table catalog_objects add column annotated_at timestamptz`,
  `alter table catalog_objects add column search_document tsvector generated always as (catalog_search_document(array[name], tags, description, catalog_column_names(kind, metadata))) stored`,

  // fastupdate off: PGlite runs no autovacuum, so a GIN pending list would only grow and every search would scan it.
  `create index warehouses_search_idx on warehouses using gin (search_document) with (fastupdate = off)`,
  `create index warehouses_tags_idx on warehouses using gin (tags) with (fastupdate = off)`,
  `create index namespaces_search_idx on namespaces using gin (search_document) with (fastupdate = off)`,
  `create index namespaces_tags_idx on namespaces using gin (tags) with (fastupdate = off)`,
  `create index namespaces_owner_idx on namespaces (owner) where owner is not null`,
  `create index catalog_objects_search_idx on catalog_objects using gin (search_document) with (fastupdate = off)`,
  `create index catalog_objects_tags_idx on catalog_objects using gin (tags) with (fastupdate = off)`,
  `create index catalog_objects_owner_idx on catalog_objects (owner) where owner is not null`,

  `create table catalog_columns (
    object_id uuid not null references catalog_objects (id) on delete cascade,
    field_id integer not null,
    path text not null,
    doc text,
    type text not null,
    required boolean not null,
    ordinal integer not null,
    schema_hash text not null,
    search_document tsvector generated always as (
      setweight(to_tsvector('simple', coalesce(catalog_search_name(path), '')), 'A')
      || setweight(to_tsvector('simple', coalesce(catalog_search_words(doc), '')), 'C')
    ) stored,
    primary key (object_id, field_id)
  )`,
  `create index catalog_columns_path_idx on catalog_columns (object_id, path)`,
  `create index catalog_columns_search_idx on catalog_columns using gin (search_document) with (fastupdate = off)`,

  `create table catalog_column_annotations (
    object_id uuid not null references catalog_objects (id) on delete cascade,
    field_id integer not null,
    description text,
    tags text[] not null default '{}',
    version integer not null default 0,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    updated_at timestamptz not null default date_trunc('milliseconds', now()),
    search_document tsvector generated always as (catalog_search_document(null, tags, description, null)) stored,
    primary key (object_id, field_id)
  )`,
  `create index catalog_column_annotations_search_idx on catalog_column_annotations using gin (search_document) with (fastupdate = off)`,
  `create index catalog_column_annotations_tags_idx on catalog_column_annotations using gin (tags) with (fastupdate = off)`,

  // Rewrites an object's column rows when its current schema changed (or always, with force). Never fails the write
  // that called it: a failure keeps the previous rows and raises a warning.
  `create function catalog_columns_refresh(target uuid, target_kind text, target_metadata text, force boolean) returns void
    language plpgsql set search_path from current set jit = off as $$
    declare
      schema_json jsonb;
      current_hash text;
    begin
      schema_json := catalog_current_schema(target_kind, target_metadata::jsonb);
      current_hash := md5(coalesce(schema_json::text, ''));
      if not force and exists (select 1 from catalog_columns c where c.object_id = target and c.schema_hash = current_hash) then
        return;
      end if;
      delete from catalog_columns c where c.object_id = target;
      insert into catalog_columns (object_id, field_id, path, doc, type, required, ordinal, schema_hash)
        select target, s.field_id, s.path, s.doc, s.type, s.required, s.ordinal, current_hash
          from catalog_schema_columns(schema_json) s
        on conflict do nothing;
    exception when others then
      raise warning 'catalog search: cannot index the columns of % %: %', target_kind, target, sqlerrm;
    end
  $$`,
  `create function catalog_columns_sync() returns trigger language plpgsql set search_path from current as $$
    begin
      perform catalog_columns_refresh(new.id, new.kind, new.metadata, tg_op = 'INSERT');
      return null;
    end
  $$`,
  `create trigger catalog_columns_sync after insert or update of metadata on catalog_objects
    for each row execute function catalog_columns_sync()`,
  `select catalog_columns_refresh(id, kind, metadata, true) from catalog_objects`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
