import { sql, type Kysely } from 'kysely';

/**
 * What a table commit costs PostgreSQL while it holds the table's row. Every commit writes the whole metadata text
 * (the snapshot list grows with every commit: 200 KB at 300 snapshots), and 0003's search upkeep parsed all of it
 * twice as jsonb to find the current schema: once for the search_document generated column
 * (catalog_column_names), once in the catalog_columns_sync trigger (catalog_columns_refresh). At 200 KB the UPDATE
 * took 12-25 ms, all of it with the row locked, and commits to one table queue on that lock.
 *
 * - catalog_metadata_head(kind, metadata) reads only the head of a table's metadata text: everything before its
 *   top-level "partition-spec(s)" field, where the catalog's canonical field order (Java's, see
 *   functions/catalog/domain/table-metadata.ts: every stored text is written in it) puts "schemas", "schema" (v1)
 *   and "current-schema-id". The cut cannot fall inside a string (a quote in one is escaped) and the head is used
 *   only if it parses and holds those fields; anything else (a view, another order, an odd default value) is parsed
 *   whole, as before. catalog_column_names and catalog_columns_refresh use it: same results, so the stored search
 *   documents and column rows stay as they are (0003 asks for a recompute only when a result changes).
 * - the metadata column is compressed with lz4 where the server has it (PostgreSQL built --with-lz4, as the Debian
 *   and official images are; not PGlite), which compresses and decompresses JSON several times faster than pglz. It
 *   applies to values written from now on; old ones are read as they are.
 *
 * Measured on PostgreSQL 15, one row with 300 snapshots (195 KB), median of 30 UPDATEs as a commit sends them: 12.5
 * ms before, 3.3 ms with the head, 2.0 ms with lz4 too; one that leaves the metadata alone takes 0.8 ms.
 */
const statements = [
  // Not parallel safe: the fallback's exception block opens a subtransaction (as catalog_column_names' does).
  String.raw`create function catalog_metadata_head(kind text, metadata text) returns jsonb language plpgsql immutable as $$
    declare
      cut integer;
      head jsonb;
    begin
      if kind = 'table' then
        cut := position(',"partition-spec' in metadata);
        if cut > 0 then
          begin
            head := (left(metadata, cut - 1) || '}')::jsonb;
            if head ? 'current-schema-id' and (head ? 'schemas' or head ? 'schema') then
              return head;
            end if;
          exception when others then
            null;
          end;
        end if;
      end if;
      return metadata::jsonb;
    end
  $$`,
  `create or replace function catalog_column_names(kind text, metadata text) returns text
    language plpgsql immutable parallel restricted set search_path from current as $$
    begin
      return left(jsonb_path_query_array(catalog_current_schema(kind, catalog_metadata_head(kind, metadata)), 'strict $.** ? (exists (@.name)).name')::text, 200000);
    exception when others then
      raise warning 'catalog search: cannot read the column names of a %: %', kind, sqlerrm;
      return null;
    end
  $$`,
  `create or replace function catalog_columns_refresh(target uuid, target_kind text, target_metadata text, force boolean) returns void
    language plpgsql set search_path from current set jit = off as $$
    declare
      schema_json jsonb;
      current_hash text;
    begin
      schema_json := catalog_current_schema(target_kind, catalog_metadata_head(target_kind, target_metadata));
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
  `do $$
    begin
      alter table catalog_objects alter column metadata set compression lz4;
    exception when feature_not_supported then
      null;
    end
  $$`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
