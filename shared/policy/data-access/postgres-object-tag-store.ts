import { textArray, type Executor } from '../../db/index.js';
import type { ObjectTagStore } from './object-tag-store.js';
import { resourceTags } from './tag-attributes.js';

/** The PostgreSQL store (PGlite runs the same SQL): catalog_objects' tags, then the column's annotation's. */
export function postgresObjectTagStore(db: Executor): ObjectTagStore {
  return {
    async tagsOf(r) {
      if (r.table === undefined || !r.namespace) return [];
      const row = await db
        .selectFrom('catalog_objects as o')
        .innerJoin('namespaces as n', 'n.id', 'o.namespace_id')
        .innerJoin('warehouses as w', 'w.id', 'o.warehouse_id')
        .select(['o.id', 'o.tags', 'o.tag_attributes'])
        .where('w.name', '=', r.warehouse)
        .where('n.levels', '=', textArray(r.namespace))
        .where('o.name', '=', r.table)
        .executeTakeFirst();
      if (!row) return [];
      const tags = resourceTags(row.tags, row.tag_attributes);
      if (r.column === undefined) return tags;
      const col = await db
        .selectFrom('catalog_columns as c')
        .innerJoin('catalog_column_annotations as a', (j) => j.onRef('a.object_id', '=', 'c.object_id').onRef('a.field_id', '=', 'c.field_id'))
        .select(['a.tags', 'a.tag_attributes'])
        .where('c.object_id', '=', row.id)
        .where('c.path', '=', r.column)
        .executeTakeFirst();
      return col ? [...tags, ...resourceTags(col.tags, col.tag_attributes)] : tags;
    },
  };
}
