import type { Static } from '@sinclair/typebox';
import type { Principal } from '../../../../shared/auth/index.js';
import type { Executor, NamespaceRow, Tx } from '../../../../shared/db/index.js';
import { ConflictError, NoSuchNamespaceError, NotFoundError } from '../../../../shared/errors/index.js';
import type { Platform } from '../../../../shared/platform/index.js';
import { DiscoveryEvents } from '../../discovery-events.js';
import { tagAttributesField, type AnnotationTarget } from '../../domain/annotations.js';
import { displayNamespace } from '../../domain/identifiers.js';
import { annotationStore, type Annotations, type ObjectRef } from '../../store/annotations.js';
import type { AnnotatedColumn } from '../../store/catalog-columns.js';
import { findNamespace, missing, type ObjectKind } from '../../store/catalog-objects.js';
import { requireWarehouse } from '../../store/warehouses.js';

/**
 * What the annotation handlers share: finding what is annotated (the 404 that says which part is missing), the
 * answers' shapes, the version check, and the event. Every change runs in the route's one transaction: the row is
 * locked, the client's `version` is checked against the locked row, the change is applied to what is current (so
 * addTags/removeTags from concurrent requests all land), and the event goes into the outbox with it.
 */

export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.name}`;
}

export function annotation(
  kind: Exclude<AnnotationTarget, 'column'>,
  warehouse: string,
  namespace: string[] | undefined,
  name: string | undefined,
  f: Annotations,
) {
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
    updatedAt: f.updated_at ? f.updated_at.toISOString() : null,
  };
}

export function columnAnnotation(warehouse: string, namespace: string[], objectKind: ObjectKind, name: string, c: AnnotatedColumn) {
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

export function checkVersion(expected: number | undefined, current: number, what: string): void {
  if (expected !== undefined && expected !== current) {
    throw new ConflictError(
      `The annotations of ${what} are at version ${current}, not ${expected}: someone changed them since you read them. Read them again and reapply your change.`,
    );
  }
}

export async function requireNamespaceRow(db: Executor, warehouse: string, levels: readonly string[]): Promise<NamespaceRow> {
  const w = await requireWarehouse(db, warehouse);
  const namespace = await findNamespace(db, w.id, levels);
  if (!namespace) throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(levels)}`);
  return namespace;
}

/** A table or view and its namespace, or the 404 that says which is missing (a view is no table, and back). */
export async function requireObjectRef(
  db: Executor,
  kind: ObjectKind,
  warehouse: string,
  levels: readonly string[],
  name: string,
): Promise<{ namespace: NamespaceRow; object: ObjectRef }> {
  const namespace = await requireNamespaceRow(db, warehouse, levels);
  const object = await annotationStore(db).findObject(namespace.id, name);
  if (!object || object.kind !== kind) throw missing(kind, levels, name);
  return { namespace, object };
}

export function noSuchColumn(kind: ObjectKind, levels: readonly string[], name: string, column: string): NotFoundError {
  return new NotFoundError(`Column ${JSON.stringify(column)} does not exist in the current schema of ${kind} ${displayNamespace(levels)}.${name}`);
}

export async function publishChange(
  tx: Tx,
  platform: Platform,
  subject: string,
  data: Static<typeof DiscoveryEvents.annotationsUpdated.schema>,
): Promise<void> {
  await platform.outbox.publish(tx, { type: DiscoveryEvents.annotationsUpdated, subject, data });
}
