import type { AccessDecision, ColumnMask, DataPolicySet, RequestedAccess, RowFilter, Subject } from './evaluator.js';
import type { DataResource } from './resource-match.js';
import type { ResourceTag } from './tag-attributes.js';
import type { UrlResource } from './url-match.js';

export interface ExplainedDecision {
  readonly decision: AccessDecision;
  /** select on a table or column, when allowed: the masks on its columns for this subject. */
  readonly masks: ColumnMask[];
  /** select on a table or column, when allowed: the row filter for this subject. */
  readonly rowFilter: RowFilter | undefined;
}

/** Looks up the catalog tags of a resource for tag-based policies; undefined: none known. */
export type TagsOf = (resource: DataResource) => Promise<readonly ResourceTag[] | undefined>;

/**
 * A decision with everything an engine needs to enforce it. For a select on a table the masks are those of the
 * columns given, or else of the columns masking policies name; for a select on a column, that column's. `now` is the
 * access time validity schedules are read at. A storage path (url) is decided by the url policies.
 */
export async function explainDecision(
  set: DataPolicySet,
  subject: Subject,
  access: RequestedAccess,
  resource: DataResource | UrlResource,
  columns?: readonly string[],
  tagsOf?: TagsOf,
  now = Date.now(),
): Promise<ExplainedDecision> {
  // A storage path has no columns, rows or tags: its decision is all there is.
  if ('url' in resource) return { decision: set.decide(subject, access, resource, now), masks: [], rowFilter: undefined };
  const withTags = async (r: DataResource): Promise<DataResource> => {
    if (r.tags !== undefined || !tagsOf) return r;
    const tags = await tagsOf(r);
    return tags ? { ...r, tags } : r;
  };
  const decision = set.decide(subject, access, await withTags(resource), now);
  const masks: ColumnMask[] = [];
  let rowFilter: RowFilter | undefined;
  if (decision.allowed && access === 'select' && resource.table !== undefined) {
    const { column, ...table } = resource as DataResource & { table: string };
    for (const name of column !== undefined ? [column] : (columns ?? set.maskedColumnNames(table))) {
      const mask = set.maskFor(subject, (await withTags({ ...table, column: name })) as DataResource & { table: string; column: string }, now);
      if (mask) masks.push(mask);
    }
    rowFilter = set.rowFilterFor(subject, (await withTags(table)) as DataResource & { table: string }, now);
  }
  return { decision, masks, rowFilter };
}
