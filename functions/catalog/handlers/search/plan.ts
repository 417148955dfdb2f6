import { BadRequestError, ValidationError } from '../../../../shared/errors/index.js';
import { catalogObject, platformObject, type Resource } from '../../../../shared/policy/index.js';
import { parseNamespace } from '../../domain/identifiers.js';
import {
  MAX_SEARCH_TERMS,
  SEARCH_KINDS,
  allTermsQuery,
  anyTermQuery,
  decodeSearchPageToken,
  searchFingerprint,
  searchTerms,
  type SearchCursor,
  type SearchKind,
} from '../../domain/search-query.js';
import type { SearchQueryValue } from '../../schemas/discovery-schemas.js';
import type { SearchText } from '../../store/catalog-search.js';

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
  /**
   * What the caller must be allowed to search: a warehouse or a namespace (decided by the data access policies), or
   * the whole catalog (by the control policies, on the path "catalog").
   */
  scope: Resource;
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
    scope: query.warehouse !== undefined ? catalogObject(query.warehouse, namespace) : platformObject('catalog'),
  };
}
