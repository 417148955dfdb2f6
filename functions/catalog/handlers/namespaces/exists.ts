import { noContent, type Handler } from '../../../../shared/http/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import type { NamespaceParams } from '../../schemas/iceberg-requests.js';
import { requireNamespace } from '../../store/catalog-objects.js';

/** namespaceExists (HEAD): 204, or the 404 that says what is missing. */
export const namespaceExists: Handler<{ params: typeof NamespaceParams }> = async (ctx) => {
  await requireNamespace(ctx.db, ctx.params.prefix, namespaceOf(ctx.params));
  return noContent();
};
