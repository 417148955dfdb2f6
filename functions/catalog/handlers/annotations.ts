import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { textArray, type Executor, type Tx } from '../../../shared/db/index.js';
import { ConflictError, NoSuchNamespaceError, NotFoundError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { DiscoveryEvents } from '../discovery-events.js';
import { changedFields, nextTagAttributes, nextTags, tagAttributesField, type AnnotationChange, type AnnotationTarget, type TagAttributeMap } from '../domain/annotations.js';
import { displayNamespace } from '../domain/identifiers.js';
import { findAnnotatedColumn, listAnnotatedColumns, type AnnotatedColumn } from '../store/catalog-columns.js';
import { findNamespace, missing, type ObjectKind } from '../store/catalog-objects.js';
import { requireWarehouse } from '../store/warehouses.js';

/**
 * Descriptions, owners and tags. Every change runs in one transaction: the row is locked (FOR NO KEY UPDATE, so
 * it never blocks the foreign-key checks of the catalog's own writes), the client's `version` is checked against
 * the locked row, the change is applied to what is current (so addTags/removeTags from concurrent requests all land),
 * and the event goes into the outbox with it.
 */

interface AnnotationFields {
  description: string | null;
  owner: string | null;
  tags: string[];
  tag_attributes: TagAttributeMap;
  version: number;
  updatedAt: Date | null;
}

function annotation(kind: Exclude<AnnotationTarget, 'column'>, warehouse: string, namespace: string[] | undefined, name: string | undefined, f: AnnotationFields) {
  return {
    kind,
    warehouse,
    ...(namespace ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    description: f.description,
    owner: f.owner,
    tags: f.tags,
    ...tagAttributesField(f.tag_attributes),
    version: f.version,
    updatedAt: f.updatedAt ? f.updatedAt.toISOString() : null,
  };
}

function columnAnnotation(warehouse: string, namespace: string[], objectKind: ObjectKind, name: string, c: AnnotatedColumn) {
  return {
    kind: 'column' as const,
    warehouse,
    namespace,
    name,
    objectKind,
    column: c.path,
    fieldId: c.field_id,
    type: c.type,
    required: c.required,
    doc: c.doc,
    description: c.description,
    tags: c.tags,
    ...tagAttributesField(c.tag_attributes),
    version: c.version,
    updatedAt: c.updated_at ? c.updated_at.toISOString() : null,
  };
}

function checkVersion(expected: number | undefined, current: number, what: string): void {
  if (expected !== undefined && expected !== current) {
    throw new ConflictError(`The annotations of ${what} are at version ${current}, not ${expected}: someone changed them since you read them. Read them again and reapply your change.`);
  }
}

/** The columns of the update: only what the change names; tags and their attributes change together. */
function changes(change: AnnotationChange, current: { tags: readonly string[]; tag_attributes: TagAttributeMap }) {
  let tagColumns = {};
  if (changedFields(change).includes('tags')) {
    const tags = nextTags(current.tags, change);
    tagColumns = { tags: textArray(tags), tag_attributes: JSON.stringify(nextTagAttributes(current.tag_attributes, tags, change)) };
  }
  return {
    ...(change.description !== undefined ? { description: change.description } : {}),
    ...(change.owner !== undefined ? { owner: change.owner } : {}),
    ...tagColumns,
  };
}

export async function readWarehouseAnnotation(db: Executor, warehouse: string) {
  const row = await requireWarehouse(db, warehouse);
  return annotation('warehouse', row.name, undefined, undefined, { ...row, updatedAt: row.updated_at });
}

/** Warehouses keep one version for all their settings: the warehouse PATCH route edits these fields too. */
export async function annotateWarehouse(platform: Platform, warehouse: string, change: AnnotationChange, actor: string) {
  return platform.store.db.transaction().execute(async (tx) => {
    const { id } = await requireWarehouse(tx, warehouse);
    const row = await tx.selectFrom('warehouses').select(['tags', 'tag_attributes', 'version']).where('id', '=', id).forNoKeyUpdate().executeTakeFirstOrThrow();
    checkVersion(change.version, row.version, `warehouse ${warehouse}`);
    const updated = await tx
      .updateTable('warehouses')
      .set({ ...changes(change, row), version: sql`version + 1`, updated_at: new Date() })
      .where('id', '=', id)
      .returning(['name', 'description', 'owner', 'tags', 'tag_attributes', 'version', 'updated_at'])
      .executeTakeFirstOrThrow();
    await publish(tx, platform, `catalog/${warehouse}`, { target: 'warehouse', warehouse, changed: changedFields(change), version: updated.version, actor });
    return annotation('warehouse', updated.name, undefined, undefined, { ...updated, updatedAt: updated.updated_at });
  });
}

async function requireNamespaceRow(db: Executor, warehouse: string, levels: readonly string[]) {
  const w = await requireWarehouse(db, warehouse);
  const namespace = await findNamespace(db, w.id, levels);
  if (!namespace) throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(levels)}`);
  return namespace;
}

export async function readNamespaceAnnotation(db: Executor, warehouse: string, levels: readonly string[]) {
  const n = await requireNamespaceRow(db, warehouse, levels);
  return annotation('namespace', warehouse, n.levels, undefined, { ...n, version: n.annotation_version, updatedAt: n.annotated_at });
}

export async function annotateNamespace(platform: Platform, warehouse: string, levels: readonly string[], change: AnnotationChange, actor: string) {
  return platform.store.db.transaction().execute(async (tx) => {
    const { id } = await requireNamespaceRow(tx, warehouse, levels);
    const row = await tx.selectFrom('namespaces').select(['tags', 'tag_attributes', 'annotation_version']).where('id', '=', id).forNoKeyUpdate().executeTakeFirstOrThrow();
    checkVersion(change.version, row.annotation_version, `namespace ${displayNamespace(levels)}`);
    const updated = await tx
      .updateTable('namespaces')
      .set({ ...changes(change, row), annotation_version: sql`annotation_version + 1`, annotated_at: new Date() })
      .where('id', '=', id)
      .returning(['levels', 'description', 'owner', 'tags', 'tag_attributes', 'annotation_version', 'annotated_at'])
      .executeTakeFirstOrThrow();
    await publish(tx, platform, `catalog/${warehouse}/namespaces/${displayNamespace(levels)}`, {
      target: 'namespace', warehouse, namespace: updated.levels, changed: changedFields(change), version: updated.annotation_version, actor,
    });
    return annotation('namespace', warehouse, updated.levels, undefined, { ...updated, version: updated.annotation_version, updatedAt: updated.annotated_at });
  });
}

/** A table or view without its metadata text (which can be megabytes): annotations never need it. */
async function requireObjectRef(db: Executor, kind: ObjectKind, warehouse: string, levels: readonly string[], name: string) {
  const namespace = await requireNamespaceRow(db, warehouse, levels);
  const object = await db
    .selectFrom('catalog_objects')
    .select(['id', 'kind', 'name', 'description', 'owner', 'tags', 'tag_attributes', 'annotation_version', 'annotated_at'])
    .where('namespace_id', '=', namespace.id)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!object || object.kind !== kind) throw missing(kind, levels, name);
  return { namespace, object };
}

export async function readObjectAnnotation(db: Executor, kind: ObjectKind, warehouse: string, levels: readonly string[], name: string) {
  const { namespace, object: o } = await requireObjectRef(db, kind, warehouse, levels, name);
  return annotation(kind, warehouse, namespace.levels, o.name, { ...o, version: o.annotation_version, updatedAt: o.annotated_at });
}

export async function annotateObject(platform: Platform, kind: ObjectKind, warehouse: string, levels: readonly string[], name: string, change: AnnotationChange, actor: string) {
  return platform.store.db.transaction().execute(async (tx) => {
    const { namespace, object } = await requireObjectRef(tx, kind, warehouse, levels, name);
    const row = await tx.selectFrom('catalog_objects').select(['tags', 'tag_attributes', 'annotation_version']).where('id', '=', object.id).forNoKeyUpdate().executeTakeFirstOrThrow();
    checkVersion(change.version, row.annotation_version, `${kind} ${displayNamespace(levels)}.${name}`);
    const updated = await tx
      .updateTable('catalog_objects')
      .set({ ...changes(change, row), annotation_version: sql`annotation_version + 1`, annotated_at: new Date() })
      .where('id', '=', object.id)
      .returning(['name', 'description', 'owner', 'tags', 'tag_attributes', 'annotation_version', 'annotated_at'])
      .executeTakeFirstOrThrow();
    await publish(tx, platform, `catalog/${warehouse}/${kind}s/${object.id}`, {
      target: kind, warehouse, namespace: namespace.levels, name: updated.name, changed: changedFields(change), version: updated.annotation_version, actor,
    });
    return annotation(kind, warehouse, namespace.levels, updated.name, { ...updated, version: updated.annotation_version, updatedAt: updated.annotated_at });
  });
}

function noSuchColumn(kind: ObjectKind, levels: readonly string[], name: string, column: string): NotFoundError {
  return new NotFoundError(`Column ${JSON.stringify(column)} does not exist in the current schema of ${kind} ${displayNamespace(levels)}.${name}`);
}

export async function listColumnAnnotations(db: Executor, kind: ObjectKind, warehouse: string, levels: readonly string[], name: string) {
  const { namespace, object } = await requireObjectRef(db, kind, warehouse, levels, name);
  const columns = await listAnnotatedColumns(db, object.id);
  return { items: columns.map((c) => columnAnnotation(warehouse, namespace.levels, kind, object.name, c)) };
}

export async function readColumnAnnotation(db: Executor, kind: ObjectKind, warehouse: string, levels: readonly string[], name: string, column: string) {
  const { namespace, object } = await requireObjectRef(db, kind, warehouse, levels, name);
  const c = await findAnnotatedColumn(db, object.id, column);
  if (!c) throw noSuchColumn(kind, levels, name, column);
  return columnAnnotation(warehouse, namespace.levels, kind, object.name, c);
}

/** Column annotations are kept by field id: they follow a renamed column and stay with a dropped one's id. */
export async function annotateColumn(platform: Platform, kind: ObjectKind, warehouse: string, levels: readonly string[], name: string, column: string, change: AnnotationChange, actor: string) {
  return platform.store.db.transaction().execute(async (tx) => {
    const { namespace, object } = await requireObjectRef(tx, kind, warehouse, levels, name);
    const c = await findAnnotatedColumn(tx, object.id, column);
    if (!c) throw noSuchColumn(kind, levels, name, column);
    // Version 0 stands for "never annotated": the row is made at 0 so concurrent first changes serialize on it.
    await tx.insertInto('catalog_column_annotations').values({ object_id: object.id, field_id: c.field_id, updated_at: new Date() }).onConflict((oc) => oc.columns(['object_id', 'field_id']).doNothing()).execute();
    const row = await tx
      .selectFrom('catalog_column_annotations')
      .select(['tags', 'tag_attributes', 'version'])
      .where('object_id', '=', object.id)
      .where('field_id', '=', c.field_id)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    checkVersion(change.version, row.version, `column ${column} of ${kind} ${displayNamespace(levels)}.${name}`);
    const updated = await tx
      .updateTable('catalog_column_annotations')
      .set({ ...changes(change, row), version: sql`version + 1`, updated_at: new Date() })
      .where('object_id', '=', object.id)
      .where('field_id', '=', c.field_id)
      .returning(['description', 'tags', 'tag_attributes', 'version', 'updated_at'])
      .executeTakeFirstOrThrow();
    await publish(tx, platform, `catalog/${warehouse}/${kind}s/${object.id}/columns/${c.field_id}`, {
      target: 'column', warehouse, namespace: namespace.levels, name: object.name, column: c.path, fieldId: c.field_id, changed: changedFields(change), version: updated.version, actor,
    });
    return columnAnnotation(warehouse, namespace.levels, kind, object.name, { ...c, ...updated });
  });
}

async function publish(tx: Tx, platform: Platform, subject: string, data: Static<typeof DiscoveryEvents.annotationsUpdated.schema>) {
  await platform.outbox.publish(tx, { type: DiscoveryEvents.annotationsUpdated, subject, data });
}
