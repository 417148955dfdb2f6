import { NoSuchNamespaceError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { catalogObject } from '../../../../shared/policy/index.js';
import { displayNamespace, parseNamespace } from '../../domain/identifiers.js';
import { decodePageToken, encodePageToken, pageSizeOf } from '../../domain/page-token.js';
import type { ListNamespacesQuery, PrefixParams } from '../../schemas/iceberg-requests.js';
import { findNamespace } from '../../store/catalog-objects.js';
import { namespaceStore } from '../../../../shared/domains/catalog/index.js';
import { requireWarehouse } from '../../store/warehouses.js';

/** The parent a listNamespaces asks below; an empty parent is "absent" for backward compatibility (spec). */
export function parentOf(query: { readonly parent?: string | undefined }): string[] | undefined {
  return query.parent ? parseNamespace(query.parent, 'parent') : undefined;
}

/** listNamespaces: top-level, or right below a parent; a page at a time when the client pages. */
export const listNamespaces: Handler<{ params: typeof PrefixParams; query: typeof ListNamespacesQuery }> = async (ctx) => {
  const { prefix } = ctx.params;
  const warehouse = await requireWarehouse(ctx.db, prefix);
  const levels = parentOf(ctx.query) ?? [];
  if (levels.length > 0 && !(await findNamespace(ctx.db, warehouse.id, levels)))
    throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(levels)}`);
  const page = decodePageToken(ctx.query.pageToken);
  const size = pageSizeOf(ctx.query.pageSize);
  const rows = await namespaceStore(ctx.db).children(warehouse.id, levels, page.after, page.paged ? size + 1 : undefined);
  const more = page.paged && rows.length > size;
  const items = more ? rows.slice(0, size) : rows;
  const listed: { namespaces: string[][]; 'next-page-token'?: string | null } = { namespaces: items.map((r) => r.levels) };
  if (page.paged) listed['next-page-token'] = more ? encodePageToken(items[items.length - 1]!.leaf) : null;
  // A listing shows only what the caller may see; a page may come back shorter than asked (the spec allows it).
  const visible = await ctx.platform.authorizer.visible(
    ctx.requirePrincipal(),
    listed.namespaces.map((ns) => catalogObject(prefix, ns)),
  );
  return json(200, { ...listed, namespaces: listed.namespaces.filter((_, i) => visible[i]) });
};
