import { json, type Handler } from '../../../../shared/http/index.js';
import { catalogObject } from '../../../../shared/policy/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import { decodePageToken, encodePageToken, pageSizeOf } from '../../domain/page-token.js';
import type { ListQuery, NamespaceParams } from '../../schemas/iceberg-requests.js';
import { requireNamespace, type ObjectKind } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';

/** listTables and listViews: the namespace's tables (or views) by name, a page at a time when the client pages. */
export function listObjects(kind: ObjectKind): Handler<{ params: typeof NamespaceParams; query: typeof ListQuery }> {
  return async (ctx) => {
    const { prefix } = ctx.params;
    const { namespace } = await requireNamespace(ctx.db, prefix, namespaceOf(ctx.params));
    const page = decodePageToken(ctx.query.pageToken);
    const size = pageSizeOf(ctx.query.pageSize);
    const names = await objectStore(ctx.db).names(namespace.id, kind, page.after, page.paged ? size + 1 : undefined);
    const more = page.paged && names.length > size;
    const items = more ? names.slice(0, size) : names;
    const listed: { identifiers: Array<{ namespace: string[]; name: string }>; 'next-page-token'?: string | null } = {
      identifiers: items.map((name) => ({ namespace: namespace.levels, name })),
    };
    if (page.paged) listed['next-page-token'] = more ? encodePageToken(items[items.length - 1]!) : null;
    // Only what the caller may see; a page may come back shorter than asked (the spec allows it).
    const visible = await ctx.platform.authorizer.visible(
      ctx.requirePrincipal(),
      listed.identifiers.map((id) => catalogObject(prefix, id.namespace, id.name)),
    );
    return json(200, { ...listed, identifiers: listed.identifiers.filter((_, i) => visible[i]) });
  };
}
