import { ValidationError } from '../../../shared/errors/index.js';
import { catalogResource } from './identifiers.js';

export const MAX_TAGS = 50;

/** What can be annotated, and the noun of its authorization actions (catalog:<noun>:read, catalog:<noun>:annotate). */
export type AnnotationTarget = 'warehouse' | 'namespace' | 'table' | 'view' | 'column';

export interface AnnotationChange {
  description?: string | null | undefined;
  owner?: string | null | undefined;
  tags?: string[] | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
  version?: number | undefined;
}

/** Which fields a change touches, in a fixed order; a change that touches none is refused before anything is read. */
export function changedFields(change: AnnotationChange): Array<'description' | 'owner' | 'tags'> {
  const fields: Array<'description' | 'owner' | 'tags'> = [];
  if (change.description !== undefined) fields.push('description');
  if (change.owner !== undefined) fields.push('owner');
  if (change.tags !== undefined || change.addTags !== undefined || change.removeTags !== undefined) fields.push('tags');
  return fields;
}

/** The rules TypeBox cannot say: something must change, and tags are either replaced or edited, not both. */
export function checkAnnotationChange(change: AnnotationChange, allowed: readonly string[]): void {
  if (changedFields(change).length === 0) {
    throw new ValidationError([{ in: 'body', field: '', message: `must change at least one of ${allowed.join(', ')}` }]);
  }
  if (change.tags !== undefined && (change.addTags !== undefined || change.removeTags !== undefined)) {
    throw new ValidationError([{ in: 'body', field: 'tags', message: 'replaces every tag, so it cannot be combined with addTags or removeTags' }]);
  }
  const both = (change.addTags ?? []).filter((t) => (change.removeTags ?? []).includes(t));
  if (both.length > 0) throw new ValidationError([{ in: 'body', field: 'addTags', message: `cannot also be removed: ${both.join(', ')}` }]);
}

/** The tags after a change: replaced, or the current ones with additions appended and removals dropped (in order). */
export function nextTags(current: readonly string[], change: AnnotationChange): string[] {
  let tags: string[];
  if (change.tags !== undefined) {
    tags = [...change.tags];
  } else {
    const removed = new Set(change.removeTags ?? []);
    tags = current.filter((t) => !removed.has(t));
    for (const t of change.addTags ?? []) if (!tags.includes(t)) tags.push(t);
  }
  if (tags.length > MAX_TAGS) {
    throw new ValidationError([{ in: 'body', field: change.tags !== undefined ? 'tags' : 'addTags', message: `would leave ${tags.length} tags; at most ${MAX_TAGS} are allowed` }]);
  }
  return tags;
}

/** The authorizer's resource for a column: its table's resource, then the column name encoded as catalogResource() encodes a level. */
export function columnResource(warehouse: string, namespace: readonly string[], table: string, column: string): string {
  return `${catalogResource(warehouse, namespace, table)}/${catalogResource(column).slice('catalog/'.length)}`;
}

export const DISCOVERY_BASE = '/api/v1/catalog';

/** A namespace as a path segment: levels joined by the unit separator (%1F), as the Iceberg REST API writes it. */
export function namespaceSegment(levels: readonly string[]): string {
  return levels.map(encodeURIComponent).join('%1F');
}

/** Where an annotated thing is read and changed. */
export function annotationHref(target: AnnotationTarget, warehouse: string, namespace?: readonly string[], name?: string, objectKind?: 'table' | 'view', column?: string): string {
  let href = `${DISCOVERY_BASE}/warehouses/${encodeURIComponent(warehouse)}`;
  if (target === 'warehouse' || !namespace) return href;
  href += `/namespaces/${namespaceSegment(namespace)}`;
  if (target === 'namespace' || name === undefined) return href;
  href += `/${target === 'column' ? objectKind ?? 'table' : target}s/${encodeURIComponent(name)}`;
  if (target === 'column' && column !== undefined) href += `/columns/${encodeURIComponent(column)}`;
  return href;
}
