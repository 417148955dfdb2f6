import { sql } from 'kysely';
import { textArray, type Executor } from '../../../shared/db/index.js';
import type { AnnotationUpdate, TagAttributeMap } from '../domain/annotations.js';

/**
 * Descriptions, owners and tags where they are kept: on the warehouse, namespace and catalog object rows, and per
 * column (by field id) in catalog_column_annotations. A change locks its row FOR NO KEY UPDATE, so it never blocks the
 * foreign-key checks of the catalog's own writes, and is applied to what the locked row holds.
 */

/** What a change is applied to: the locked row's tags and their attributes, and its version. */
export interface LockedAnnotations {
  tags: string[];
  tag_attributes: TagAttributeMap;
  version: number;
}

export interface Annotations {
  description: string | null;
  owner: string | null;
  tags: string[];
  tag_attributes: TagAttributeMap;
  version: number;
  updated_at: Date | null;
}

/** A table or view without its metadata text (which can be megabytes): annotations never need it. */
export interface ObjectRef extends Annotations {
  id: string;
  /** A Hive metastore object ('hive') is found too; the Iceberg annotation routes answer 404 for it. */
  kind: 'table' | 'view' | 'hive';
  name: string;
}

export interface AnnotationStore {
  lockWarehouse(id: string): Promise<LockedAnnotations>;
  updateWarehouse(id: string, update: AnnotationUpdate): Promise<Annotations & { name: string }>;
  lockNamespace(id: string): Promise<LockedAnnotations>;
  updateNamespace(id: string, update: AnnotationUpdate): Promise<Annotations & { levels: string[] }>;
  findObject(namespaceId: string, name: string): Promise<ObjectRef | undefined>;
  lockObject(id: string): Promise<LockedAnnotations>;
  updateObject(id: string, update: AnnotationUpdate): Promise<Annotations & { name: string }>;
  /** A column's annotations, locked; made at version 0 ("never annotated") first, so concurrent first changes serialize on it. */
  lockColumn(objectId: string, fieldId: number): Promise<LockedAnnotations>;
  updateColumn(objectId: string, fieldId: number, update: AnnotationUpdate): Promise<Omit<Annotations, 'owner'>>;
}

/** The columns an update sets: only what it names; tags and their attributes together. */
function columnsOf(update: AnnotationUpdate) {
  return {
    ...(update.description !== undefined ? { description: update.description } : {}),
    ...(update.owner !== undefined ? { owner: update.owner } : {}),
    ...(update.tags !== undefined ? { tags: textArray(update.tags.tags), tag_attributes: JSON.stringify(update.tags.attributes) } : {}),
  };
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function annotationStore(db: Executor): AnnotationStore {
  return {
    async lockWarehouse(id) {
      return db.selectFrom('warehouses').select(['tags', 'tag_attributes', 'version']).where('id', '=', id).forNoKeyUpdate().executeTakeFirstOrThrow();
    },
    async updateWarehouse(id, update) {
      return db
        .updateTable('warehouses')
        .set({ ...columnsOf(update), version: sql`version + 1`, updated_at: new Date() })
        .where('id', '=', id)
        .returning(['name', 'description', 'owner', 'tags', 'tag_attributes', 'version', 'updated_at'])
        .executeTakeFirstOrThrow();
    },
    async lockNamespace(id) {
      const row = await db
        .selectFrom('namespaces')
        .select(['tags', 'tag_attributes', 'annotation_version'])
        .where('id', '=', id)
        .forNoKeyUpdate()
        .executeTakeFirstOrThrow();
      return { tags: row.tags, tag_attributes: row.tag_attributes, version: row.annotation_version };
    },
    async updateNamespace(id, update) {
      const row = await db
        .updateTable('namespaces')
        .set({ ...columnsOf(update), annotation_version: sql`annotation_version + 1`, annotated_at: new Date() })
        .where('id', '=', id)
        .returning(['levels', 'description', 'owner', 'tags', 'tag_attributes', 'annotation_version', 'annotated_at'])
        .executeTakeFirstOrThrow();
      return {
        levels: row.levels,
        description: row.description,
        owner: row.owner,
        tags: row.tags,
        tag_attributes: row.tag_attributes,
        version: row.annotation_version,
        updated_at: row.annotated_at,
      };
    },
    async findObject(namespaceId, name) {
      const row = await db
        .selectFrom('catalog_objects')
        .select(['id', 'kind', 'name', 'description', 'owner', 'tags', 'tag_attributes', 'annotation_version', 'annotated_at'])
        .where('namespace_id', '=', namespaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        kind: row.kind,
        name: row.name,
        description: row.description,
        owner: row.owner,
        tags: row.tags,
        tag_attributes: row.tag_attributes,
        version: row.annotation_version,
        updated_at: row.annotated_at,
      };
    },
    async lockObject(id) {
      const row = await db
        .selectFrom('catalog_objects')
        .select(['tags', 'tag_attributes', 'annotation_version'])
        .where('id', '=', id)
        .forNoKeyUpdate()
        .executeTakeFirstOrThrow();
      return { tags: row.tags, tag_attributes: row.tag_attributes, version: row.annotation_version };
    },
    async updateObject(id, update) {
      const row = await db
        .updateTable('catalog_objects')
        .set({ ...columnsOf(update), annotation_version: sql`annotation_version + 1`, annotated_at: new Date() })
        .where('id', '=', id)
        .returning(['name', 'description', 'owner', 'tags', 'tag_attributes', 'annotation_version', 'annotated_at'])
        .executeTakeFirstOrThrow();
      return {
        name: row.name,
        description: row.description,
        owner: row.owner,
        tags: row.tags,
        tag_attributes: row.tag_attributes,
        version: row.annotation_version,
        updated_at: row.annotated_at,
      };
    },
    async lockColumn(objectId, fieldId) {
      await db
        .insertInto('catalog_column_annotations')
        .values({ object_id: objectId, field_id: fieldId, updated_at: new Date() })
        .onConflict((oc) => oc.columns(['object_id', 'field_id']).doNothing())
        .execute();
      return db
        .selectFrom('catalog_column_annotations')
        .select(['tags', 'tag_attributes', 'version'])
        .where('object_id', '=', objectId)
        .where('field_id', '=', fieldId)
        .forNoKeyUpdate()
        .executeTakeFirstOrThrow();
    },
    async updateColumn(objectId, fieldId, update) {
      return db
        .updateTable('catalog_column_annotations')
        .set({ ...columnsOf(update), version: sql`version + 1`, updated_at: new Date() })
        .where('object_id', '=', objectId)
        .where('field_id', '=', fieldId)
        .returning(['description', 'tags', 'tag_attributes', 'version', 'updated_at'])
        .executeTakeFirstOrThrow();
    },
  };
}
