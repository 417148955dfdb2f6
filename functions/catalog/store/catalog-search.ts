import { sql, type RawBuilder } from 'kysely';
import { textArray, type Db, type Executor } from '../../../shared/db/index.js';
import type { SearchCursor, SearchKind } from '../domain/search-query.js';

/** The tsqueries of one search (to_tsquery syntax, built by domain/search-query.ts). */
export interface SearchText {
  /** Every term: what a hit must match. */
  all: string;
  /** Any term: the column prefilter. */
  any: string;
  /** Any term, in one weight: which fields matched (A name, B tags, C description, D column names). */
  name: string;
  tags: string;
  description: string;
  columns: string;
  /** The whole query, lowercased: a hit whose name is exactly this ranks first. */
  exact: string;
}

export interface SearchParams {
  text: SearchText | undefined;
  kinds: ReadonlySet<SearchKind>;
  warehouseId: string | undefined;
  /** A namespace and everything below it (with warehouseId). */
  namespace: readonly string[] | undefined;
  tags: readonly string[];
  owner: string | undefined;
  after: SearchCursor | undefined;
  limit: number;
}

export interface SearchRow {
  kind: SearchKind;
  uid: string;
  warehouse: string;
  namespace: string[] | null;
  name: string;
  column_path: string | null;
  field_id: number | null;
  object_kind: 'table' | 'view' | null;
  description: string | null;
  owner: string | null;
  tags: string[];
  score: string;
  sort_key: string;
  m_name: boolean | null;
  m_tags: boolean | null;
  m_description: boolean | null;
  m_columns: boolean | null;
}

const and = (conditions: RawBuilder<unknown>[]) => (conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `));

/**
 * One ranked, keyset-paged search over warehouses, namespaces, tables and views, and columns: a UNION ALL of one
 * branch per kind, each answered from its GIN index (search_document @@ query), ordered by score, then by the hit's
 * path (warehouse, namespace levels, name, column; byte order), then by a unique id. A page continues strictly
 * after the last hit served, so hits added or removed meanwhile neither repeat nor hide the hits not yet served.
 */
export async function searchCatalog(db: Db, p: SearchParams): Promise<SearchRow[]> {
  const t = p.text;
  // ts_rank over the weighted document, halved for columns (a table and its column named alike: the table first),
  // plus 1 for a hit named exactly as the query. Rounded, so a page token carries the score exactly.
  const score = (doc: RawBuilder<unknown>, exact: RawBuilder<unknown>, factor = 1) =>
    t ? sql`round((ts_rank(${doc}, q.q_all) * ${sql.lit(factor)} + case when ${exact} then 1 else 0 end)::numeric, 6)` : sql`0::numeric`;
  const fromQ = t ? sql`cross join q` : sql``;
  const inNamespace = (levels: RawBuilder<unknown>) => (p.namespace ? sql`${levels}[1:${sql.lit(p.namespace.length)}] = ${textArray(p.namespace)}` : undefined);
  const path = sql`w.name || chr(31) || array_to_string(n.levels, chr(31))`;
  const common = (alias: 'w' | 'n' | 'o') => {
    const c: RawBuilder<unknown>[] = [];
    if (p.warehouseId) c.push(sql`w.id = ${p.warehouseId}`);
    if (p.tags.length > 0) c.push(sql`${sql.ref(`${alias}.tags`)} @> ${textArray(p.tags)}`);
    if (p.owner !== undefined) c.push(sql`${sql.ref(`${alias}.owner`)} = ${p.owner}`);
    return c;
  };

  const branches: RawBuilder<unknown>[] = [];
  if (p.kinds.has('warehouse') && !p.namespace) {
    const where = common('w');
    if (t) where.push(sql`w.search_document @@ q.q_all`);
    branches.push(sql`
      select 'warehouse' as kind, 'w:' || w.id::text as uid, w.name as warehouse, null::text[] as namespace, w.name as name,
             null::text as column_path, null::integer as field_id, null::text as object_kind, w.description, w.owner, w.tags,
             w.search_document as doc, ${score(sql`w.search_document`, t ? sql`lower(w.name) = ${t.exact}` : sql`false`)} as score,
             w.name::text collate "C" as sort_key
        from warehouses w ${fromQ}
       where ${and(where)}`);
  }
  if (p.kinds.has('namespace')) {
    const where = common('n');
    const ns = inNamespace(sql`n.levels`);
    if (ns) where.push(ns);
    if (t) where.push(sql`n.search_document @@ q.q_all`);
    branches.push(sql`
      select 'namespace' as kind, 'n:' || n.id::text as uid, w.name as warehouse, n.levels as namespace, n.leaf as name,
             null::text as column_path, null::integer as field_id, null::text as object_kind, n.description, n.owner, n.tags,
             n.search_document as doc, ${score(sql`n.search_document`, t ? sql`(lower(n.leaf) = ${t.exact} or lower(array_to_string(n.levels, '.')) = ${t.exact})` : sql`false`)} as score,
             (${path}) collate "C" as sort_key
        from namespaces n join warehouses w on w.id = n.warehouse_id ${fromQ}
       where ${and(where)}`);
  }
  const objectKinds = (['table', 'view'] as const).filter((k) => p.kinds.has(k));
  if (objectKinds.length > 0) {
    const where = common('o');
    const ns = inNamespace(sql`n.levels`);
    if (ns) where.push(ns);
    where.push(sql`o.kind in (${sql.join(objectKinds.map((k) => sql.lit(k)))})`);
    if (t) where.push(sql`o.search_document @@ q.q_all`);
    branches.push(sql`
      select o.kind as kind, 'o:' || o.id::text as uid, w.name as warehouse, n.levels as namespace, o.name as name,
             null::text as column_path, null::integer as field_id, null::text as object_kind, o.description, o.owner, o.tags,
             o.search_document as doc, ${score(sql`o.search_document`, t ? sql`lower(o.name) = ${t.exact}` : sql`false`)} as score,
             (${path} || chr(31) || o.name) collate "C" as sort_key
        from catalog_objects o join namespaces n on n.id = o.namespace_id join warehouses w on w.id = o.warehouse_id ${fromQ}
       where ${and(where)}`);
  }
  if (p.kinds.has('column')) {
    // Columns of Iceberg tables and views: those of Hive metastore tables are indexed too, not yet searched.
    const where: RawBuilder<unknown>[] = [sql`o.kind in ('table', 'view')`];
    if (p.warehouseId) where.push(sql`o.warehouse_id = ${p.warehouseId}`);
    const ns = inNamespace(sql`n.levels`);
    if (ns) where.push(ns);
    if (p.tags.length > 0) where.push(sql`a.tags @> ${textArray(p.tags)}`);
    if (p.owner !== undefined) where.push(sql`o.owner = ${p.owner}`);
    const doc = sql`(c.search_document || coalesce(a.search_document, ''::tsvector))`;
    const column = (from: RawBuilder<unknown>, extra: RawBuilder<unknown>[]) => sql`
      select 'column' as kind, 'c:' || c.object_id::text || ':' || c.field_id::text as uid, w.name as warehouse, n.levels as namespace,
             o.name as name, c.path as column_path, c.field_id as field_id, o.kind as object_kind,
             coalesce(a.description, c.doc) as description, o.owner as owner, coalesce(a.tags, '{}'::text[]) as tags,
             ${doc} as doc, ${score(doc, t ? sql`(lower(c.path) = ${t.exact} or right(lower(c.path), ${sql.lit(t.exact.length + 1)}) = ${`.${t.exact}`})` : sql`false`, 0.5)} as score,
             (${path} || chr(31) || o.name || chr(31) || c.path) collate "C" as sort_key
        from ${from}
        join catalog_objects o on o.id = c.object_id
        join namespaces n on n.id = o.namespace_id
        join warehouses w on w.id = o.warehouse_id
        ${fromQ}
       where ${and([...where, ...extra])}`;
    if (t) {
      // Two disjoint halves, each from its own GIN index: columns whose name and Iceberg doc hold every term, and
      // (few: curated) columns that hold them only together with their annotation's description and tags.
      branches.push(
        column(sql`catalog_columns c left join catalog_column_annotations a on a.object_id = c.object_id and a.field_id = c.field_id`, [
          sql`c.search_document @@ q.q_all`,
        ]),
      );
      branches.push(
        column(sql`catalog_column_annotations a join catalog_columns c on c.object_id = a.object_id and c.field_id = a.field_id`, [
          sql`a.search_document @@ q.q_any`,
          sql`not (c.search_document @@ q.q_all)`,
          sql`(c.search_document || a.search_document) @@ q.q_all`,
        ]),
      );
    } else {
      branches.push(column(sql`catalog_columns c left join catalog_column_annotations a on a.object_id = c.object_id and a.field_id = c.field_id`, []));
    }
  }
  if (branches.length === 0) return [];

  const after = p.after
    ? sql`where u.score < ${p.after.score}::numeric
             or (u.score = ${p.after.score}::numeric and (u.sort_key > ${p.after.key} or (u.sort_key = ${p.after.key} and u.uid > ${p.after.uid} collate "C")))`
    : sql``;
  const order = sql`order by score desc, sort_key, uid collate "C"`;
  const matched = t
    ? sql`h.doc @@ q.q_name as m_name, h.doc @@ q.q_tags as m_tags, h.doc @@ q.q_description as m_description, h.doc @@ q.q_columns as m_columns`
    : sql`null::boolean as m_name, null::boolean as m_tags, null::boolean as m_description, null::boolean as m_columns`;
  const withQ = t
    ? sql`with q as materialized (
        select to_tsquery('simple', ${t.all}) as q_all, to_tsquery('simple', ${t.any}) as q_any,
               to_tsquery('simple', ${t.name}) as q_name, to_tsquery('simple', ${t.tags}) as q_tags,
               to_tsquery('simple', ${t.description}) as q_description, to_tsquery('simple', ${t.columns}) as q_columns)`
    : sql``;

  const query = sql<SearchRow>`
    ${withQ}
    select h.kind, h.uid, h.warehouse, h.namespace, h.name, h.column_path, h.field_id, h.object_kind, h.description, h.owner, h.tags,
           h.score::text as score, h.sort_key, ${matched}
      from (
        select * from (${sql.join(branches, sql` union all `)}) u
        ${after}
        ${order}
        limit ${sql.lit(p.limit)}
      ) h ${fromQ}
     ${order}`;
  // A search may plan above jit_above_cost on a large catalog, and compiling would cost more than it saves.
  return db.transaction().execute(async (tx) => {
    await sql`set local jit = off`.execute(tx);
    return (await query.execute(tx)).rows;
  });
}

/** For table and view hits matched by column names: which columns, in schema order, at most `per` of each. */
export async function matchingColumns(db: Executor, objectIds: readonly string[], nameQuery: string, per: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (objectIds.length === 0) return out;
  const rows = await sql<{ object_id: string; path: string }>`
    select object_id, path from catalog_columns
     where object_id in (${sql.join(objectIds.map((id) => sql`${id}::uuid`))}) and search_document @@ to_tsquery('simple', ${nameQuery})
     order by object_id, ordinal`.execute(db);
  for (const r of rows.rows) {
    const list = out.get(r.object_id) ?? [];
    if (list.length < per) list.push(r.path);
    out.set(r.object_id, list);
  }
  return out;
}
