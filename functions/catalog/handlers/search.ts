import type { Principal } from '../../../shared/auth/index.js';
import { BadRequestError, ForbiddenError, NoSuchNamespaceError, ValidationError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { annotationHref, columnResource } from '../domain/annotations.js';
import { catalogResource, displayNamespace, parseNamespace } from '../domain/identifiers.js';
import {
  MAX_SEARCH_TERMS,
  SEARCH_KINDS,
  allTermsQuery,
  anyTermQuery,
  decodeSearchPageToken,
  encodeSearchPageToken,
  searchFingerprint,
  searchTerms,
  type SearchCursor,
  type SearchKind,
} from '../domain/search-query.js';
import type { SearchQueryValue } from '../schemas/discovery-schemas.js';
import { matchingColumns, searchCatalog, type SearchRow, type SearchText } from '../store/catalog-search.js';
import { findNamespace } from '../store/catalog-objects.js';
import { requireWarehouse } from '../store/warehouses.js';

const MATCHED_COLUMNS_SHOWN = 5;

/** A search request, checked and turned into what the store runs. */
export interface SearchPlan {
  text: SearchText | undefined;
  kinds: Set<SearchKind>;
  warehouse: string | undefined;
  namespace: string[] | undefined;
  tags: string[];
  owner: string | undefined;
  pageSize: number;
  fingerprint: string;
  after: SearchCursor | undefined;
  /** What the caller must be allowed to search: the whole catalog, a warehouse or a namespace. */
  scope: string;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError([{ in: 'query', field, message }]);
}

/** Everything the query schema cannot say; nothing is read. */
export function planSearch(query: SearchQueryValue): SearchPlan {
  const kinds = new Set<SearchKind>(query.kind ? (query.kind.split(',') as SearchKind[]) : SEARCH_KINDS);
  const tags = query.tag === undefined ? [] : Array.isArray(query.tag) ? [...new Set(query.tag)] : [query.tag];
  let text: SearchText | undefined;
  if (query.q !== undefined) {
    const terms = searchTerms(query.q);
    if (terms.length === 0) throw invalid('q', 'must contain at least one letter or digit');
    if (terms.length > MAX_SEARCH_TERMS) throw invalid('q', `has ${terms.length} words; at most ${MAX_SEARCH_TERMS} are searched`);
    text = {
      all: allTermsQuery(terms),
      any: anyTermQuery(terms),
      name: anyTermQuery(terms, 'A'),
      tags: anyTermQuery(terms, 'B'),
      description: anyTermQuery(terms, 'C'),
      columns: anyTermQuery(terms, 'D'),
      exact: query.q.trim().toLowerCase(),
    };
  } else if (tags.length === 0 && query.owner === undefined) {
    throw invalid('q', 'is required unless tag or owner narrows the search');
  }
  let namespace: string[] | undefined;
  if (query.namespace !== undefined) {
    if (query.warehouse === undefined) throw invalid('namespace', 'needs warehouse: a namespace is named within its warehouse');
    try {
      namespace = parseNamespace(query.namespace, 'namespace', 'query');
    } catch (err) {
      if (err instanceof BadRequestError) throw invalid('namespace', err.message);
      throw err;
    }
  }
  const fingerprint = searchFingerprint({
    q: text ? [text.all, text.exact] : null,
    kinds: [...kinds].sort(),
    warehouse: query.warehouse ?? null,
    namespace: namespace ?? null,
    tags: [...tags].sort(),
    owner: query.owner ?? null,
  });
  return {
    text,
    kinds,
    warehouse: query.warehouse,
    namespace,
    tags,
    owner: query.owner,
    pageSize: query.pageSize ?? 20,
    fingerprint,
    after: query.pageToken !== undefined ? decodeSearchPageToken(query.pageToken, fingerprint) : undefined,
    scope: query.warehouse !== undefined ? catalogResource(query.warehouse, namespace) : 'catalog',
  };
}

function readAction(row: SearchRow): { action: string; resource: string } {
  const ns = row.namespace ?? [];
  switch (row.kind) {
    case 'warehouse':
      return { action: 'catalog:warehouse:read', resource: catalogResource(row.warehouse) };
    case 'namespace':
      return { action: 'catalog:namespace:read', resource: catalogResource(row.warehouse, ns) };
    case 'column':
      return { action: 'catalog:column:read', resource: columnResource(row.warehouse, ns, row.name, row.column_path ?? '') };
    default:
      return { action: `catalog:${row.kind}:read`, resource: catalogResource(row.warehouse, ns, row.name) };
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
 * Runs a planned search. Each hit is shown only if the caller may read it; a page then holds fewer than pageSize
 * hits, and the next page still continues after the last hit examined, so paging never repeats or skips.
 */
export async function runSearch(platform: Platform, principal: Principal, plan: SearchPlan) {
  const db = platform.store.db;
  let warehouseId: string | undefined;
  if (plan.warehouse !== undefined) {
    warehouseId = (await requireWarehouse(db, plan.warehouse)).id;
    if (plan.namespace && !(await findNamespace(db, warehouseId, plan.namespace))) throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(plan.namespace)}`);
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

  const visible: SearchRow[] = [];
  for (const row of page) {
    const { action, resource } = readAction(row);
    try {
      await platform.authorizer.authorize(principal, action, resource);
      visible.push(row);
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
    }
  }
  const byColumns = visible.filter((r) => r.m_columns).map((r) => r.uid.slice('o:'.length));
  const columns = plan.text ? await matchingColumns(db, byColumns, plan.text.name, MATCHED_COLUMNS_SHOWN) : new Map<string, string[]>();

  return {
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
    nextPageToken: rows.length > plan.pageSize && last ? encodeSearchPageToken(plan.fingerprint, { score: last.score, key: last.sort_key, uid: last.uid }) : null,
  };
}
