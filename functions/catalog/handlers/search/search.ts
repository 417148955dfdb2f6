import { ForbiddenError, NoSuchNamespaceError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { catalogObject, type Action, type Resource } from '../../../../shared/policy/index.js';
import { annotationHref } from '../../domain/annotations.js';
import { displayNamespace } from '../../domain/identifiers.js';
import { encodeSearchPageToken } from '../../domain/search-query.js';
import type { SearchQuery } from '../../schemas/discovery-schemas.js';
import { findNamespace } from '../../store/catalog-objects.js';
import { matchingColumns, searchCatalog, type SearchRow } from '../../store/catalog-search.js';
import { requireWarehouse } from '../../store/warehouses.js';
import { planSearch } from './plan.js';

const MATCHED_COLUMNS_SHOWN = 5;

/** What the caller must be allowed to do to see a hit: read it (a column: read that column of its table or view). */
function readCheck(row: SearchRow): { action: Action; resource: Resource } {
  const ns = row.namespace ?? [];
  switch (row.kind) {
    case 'warehouse':
      return { action: 'catalog:warehouse:read', resource: catalogObject(row.warehouse) };
    case 'namespace':
      return { action: 'catalog:namespace:read', resource: catalogObject(row.warehouse, ns) };
    case 'column':
      return { action: 'catalog:column:read', resource: catalogObject(row.warehouse, ns, row.name, row.column_path ?? '') };
    default:
      return { action: `catalog:${row.kind}:read`, resource: catalogObject(row.warehouse, ns, row.name) };
  }
}

function matchedFields(row: SearchRow): Array<'name' | 'description' | 'tags' | 'columns'> {
  const fields: Array<'name' | 'description' | 'tags' | 'columns'> = [];
  if (row.m_name) fields.push('name');
  if (row.m_description) fields.push('description');
  if (row.m_tags) fields.push('tags');
  if (row.m_columns) fields.push('columns');
  return fields;
}

function hrefOf(row: SearchRow): string {
  const ns = row.namespace ?? undefined;
  if (row.kind === 'column') return annotationHref('column', row.warehouse, ns, row.name, row.object_kind ?? 'table', row.column_path ?? '');
  return annotationHref(row.kind, row.warehouse, ns, row.kind === 'warehouse' || row.kind === 'namespace' ? undefined : row.name);
}

/**
 * A planned search (the route's authorization planned it once to know its scope; planning reads nothing). Each hit
 * is shown only if the caller may read it; a page then holds fewer than pageSize hits, and the next page still
 * continues after the last hit examined, so paging never repeats or skips.
 */
export const search: Handler<{ query: typeof SearchQuery }> = async (ctx) => {
  const plan = planSearch(ctx.query);
  const principal = ctx.requirePrincipal();
  // searchCatalog opens its own transaction (to turn JIT off for it): it takes the database itself, not ctx.db.
  const db = ctx.platform.store.db;
  let warehouseId: string | undefined;
  if (plan.warehouse !== undefined) {
    warehouseId = (await requireWarehouse(db, plan.warehouse)).id;
    if (plan.namespace && !(await findNamespace(db, warehouseId, plan.namespace)))
      throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(plan.namespace)}`);
  }
  const rows = await searchCatalog(db, {
    text: plan.text,
    kinds: plan.kinds,
    warehouseId,
    namespace: plan.namespace,
    tags: plan.tags,
    owner: plan.owner,
    after: plan.after,
    limit: plan.pageSize + 1,
  });
  const page = rows.slice(0, plan.pageSize);
  const last = page[page.length - 1];

  // Not the operation's permission: each hit's own read decision, one by one in rank order (a column needs select
  // on it, a warehouse or namespace only to be seen), so authorizer.visible (one 'any' decision each) would not do.
  const visible: SearchRow[] = [];
  for (const row of page) {
    const { action, resource } = readCheck(row);
    try {
      await ctx.platform.authorizer.authorize(principal, action, resource);
      visible.push(row);
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
    }
  }
  const byColumns = visible.filter((r) => r.m_columns).map((r) => r.uid.slice('o:'.length));
  const columns = plan.text ? await matchingColumns(db, byColumns, plan.text.name, MATCHED_COLUMNS_SHOWN) : new Map<string, string[]>();

  return json(200, {
    items: visible.map((r) => {
      const matchedColumns = r.m_columns ? columns.get(r.uid.slice('o:'.length)) : undefined;
      return {
        kind: r.kind,
        warehouse: r.warehouse,
        namespace: r.namespace,
        name: r.name,
        ...(r.kind === 'column' ? { column: r.column_path ?? '', fieldId: r.field_id ?? 0, objectKind: r.object_kind ?? 'table' } : {}),
        description: r.description,
        tags: r.tags,
        owner: r.owner,
        score: Number(r.score),
        matchedFields: matchedFields(r),
        ...(matchedColumns ? { matchedColumns } : {}),
        href: hrefOf(r),
      };
    }),
    nextPageToken:
      rows.length > plan.pageSize && last ? encodeSearchPageToken(plan.fingerprint, { score: last.score, key: last.sort_key, uid: last.uid }) : null,
  });
};
