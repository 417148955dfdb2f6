import { ValidationError } from '../../../shared/errors/index.js';
import { tagAttributeProblems } from '../../../shared/policy/index.js';

export const MAX_TAGS = 50;

/** What can be annotated, and the noun of its authorization actions (catalog:<noun>:read, catalog:<noun>:annotate). */
export type AnnotationTarget = 'warehouse' | 'namespace' | 'table' | 'view' | 'column';

export interface AnnotationChange {
  description?: string | null | undefined;
  owner?: string | null | undefined;
  tags?: string[] | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
  /** Per tag: its attributes (replacing the ones it had), or null to clear them. */
  tagAttributes?: Record<string, Record<string, string> | null> | undefined;
  version?: number | undefined;
}

/** Attributes by tag name, only for tags that have some (the tag_attributes column). */
export type TagAttributeMap = Record<string, Record<string, string>>;

/** Which fields a change touches, in a fixed order; a change that touches none is refused before anything is read. */
export function changedFields(change: AnnotationChange): Array<'description' | 'owner' | 'tags'> {
  const fields: Array<'description' | 'owner' | 'tags'> = [];
  if (change.description !== undefined) fields.push('description');
  if (change.owner !== undefined) fields.push('owner');
  // A tag's attributes are part of the tag: changing them is a change of the tags.
  if (change.tags !== undefined || change.addTags !== undefined || change.removeTags !== undefined || change.tagAttributes !== undefined) fields.push('tags');
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
    throw new ValidationError([
      { in: 'body', field: change.tags !== undefined ? 'tags' : 'addTags', message: `would leave ${tags.length} tags; at most ${MAX_TAGS} are allowed` },
    ]);
  }
  return tags;
}

/**
 * The attributes after a change, for the tags after it: a removed tag's attributes go with it (a tag kept by a
 * replacing `tags` keeps its own, so a client that knows nothing of attributes does not wipe an expiry date); then
 * each tag named in tagAttributes gets what it names, null or {} clearing it. A named tag must be among the tags after
 * the change, and a date attribute must be one Ranger reads; every problem is named at once, before anything is written.
 */
export function nextTagAttributes(current: Readonly<TagAttributeMap>, tagsAfter: readonly string[], change: AnnotationChange): TagAttributeMap {
  // A Map, not an object: a tag may be named "__proto__", which an assignment would take as the prototype.
  const out = new Map<string, Record<string, string>>();
  for (const tag of tagsAfter) if (Object.hasOwn(current, tag)) out.set(tag, current[tag]!);
  const problems: Array<{ in: 'body'; field: string; message: string }> = [];
  for (const [tag, attributes] of Object.entries(change.tagAttributes ?? {})) {
    if (!tagsAfter.includes(tag)) {
      problems.push({
        in: 'body',
        field: `tagAttributes.${tag}`,
        message: `${JSON.stringify(tag)} is not one of the tags after this change: add the tag (addTags) with its attributes`,
      });
      continue;
    }
    if (attributes === null || Object.keys(attributes).length === 0) {
      out.delete(tag);
      continue;
    }
    for (const p of tagAttributeProblems(attributes)) problems.push({ in: 'body', field: `tagAttributes.${tag}.${p.field}`, message: p.message });
    out.set(tag, attributes);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return Object.fromEntries(out);
}

/** The tagAttributes field of an answer: present only when some tag has attributes, so answers without are as before. */
export function tagAttributesField(attributes: Readonly<TagAttributeMap> | null | undefined): { tagAttributes?: TagAttributeMap } {
  return attributes && Object.keys(attributes).length > 0 ? { tagAttributes: { ...attributes } } : {};
}

/** What a change sets: only the fields it names; tags and their attributes change together. */
export interface AnnotationUpdate {
  description?: string | null;
  owner?: string | null;
  tags?: { tags: string[]; attributes: TagAttributeMap };
}

/** A change applied to what is current (the locked row), so concurrent addTags/removeTags all land. */
export function annotationUpdate(change: AnnotationChange, current: { tags: readonly string[]; tag_attributes: TagAttributeMap }): AnnotationUpdate {
  let tagUpdate: Pick<AnnotationUpdate, 'tags'> = {};
  if (changedFields(change).includes('tags')) {
    const tags = nextTags(current.tags, change);
    tagUpdate = { tags: { tags, attributes: nextTagAttributes(current.tag_attributes, tags, change) } };
  }
  return {
    ...(change.description !== undefined ? { description: change.description } : {}),
    ...(change.owner !== undefined ? { owner: change.owner } : {}),
    ...tagUpdate,
  };
}

export const DISCOVERY_BASE = '/api/v1/catalog';

/** A namespace as a path segment: levels joined by the unit separator (%1F), as the Iceberg REST API writes it. */
export function namespaceSegment(levels: readonly string[]): string {
  return levels.map(encodeURIComponent).join('%1F');
}

/** Where an annotated thing is read and changed. */
export function annotationHref(
  target: AnnotationTarget,
  warehouse: string,
  namespace?: readonly string[],
  name?: string,
  objectKind?: 'table' | 'view',
  column?: string,
): string {
  let href = `${DISCOVERY_BASE}/warehouses/${encodeURIComponent(warehouse)}`;
  if (target === 'warehouse' || !namespace) return href;
  href += `/namespaces/${namespaceSegment(namespace)}`;
  if (target === 'namespace' || name === undefined) return href;
  href += `/${target === 'column' ? (objectKind ?? 'table') : target}s/${encodeURIComponent(name)}`;
  if (target === 'column' && column !== undefined) href += `/columns/${encodeURIComponent(column)}`;
  return href;
}
