import { sql, type Kysely } from 'kysely';

/**
 * Attributes of catalog tags, as Ranger's tags carry them (an EXPIRES_ON tag's expiry_date): one jsonb object per
 * annotated row, tag name -> {attribute -> value}, holding only tags that have attributes, so existing tags (plain
 * names in `tags`) are unchanged. The tags array stays what filters and search read; the handlers drop the attributes
 * of a tag when the tag goes.
 */
const tables = ['warehouses', 'namespaces', 'catalog_objects', 'catalog_column_annotations'];
const statements = tables.flatMap((t) => [
  `alter table ${t} add column tag_attributes jsonb not null default '{}'::jsonb`,
  `alter table ${t} add constraint ${t}_tag_attributes_object check (jsonb_typeof(tag_attributes) = 'object')`,
]);

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
