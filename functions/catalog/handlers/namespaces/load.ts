import { json, type Handler } from '../../../../shared/http/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import type { NamespaceParams } from '../../schemas/iceberg-requests.js';
import { requireNamespace } from '../../store/catalog-objects.js';
import { namespaceProperties } from './common.js';

/** loadNamespaceMetadata: the namespace and its properties (its location among them). */
export const loadNamespace: Handler<{ params: typeof NamespaceParams }> = async (ctx) => {
  const { warehouse, namespace } = await requireNamespace(ctx.db, ctx.params.prefix, namespaceOf(ctx.params));
  return json(200, { namespace: namespace.levels, properties: namespaceProperties(warehouse, namespace) });
};
