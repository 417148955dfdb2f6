import { json, type Handler } from '../../../../shared/http/index.js';
import { parseNamespace } from '../../domain/identifiers.js';
import type { objectAnnotationParams } from '../../schemas/discovery-schemas.js';
import type { ObjectKind } from '../../store/catalog-objects.js';
import { annotation, requireObjectRef } from './common.js';

export type ObjectParams = ReturnType<typeof objectAnnotationParams<ObjectKind>>;

/** The description, owner and tags of a table (kind table) or a view (kind view). */
export function readObjectAnnotations(kind: ObjectKind): Handler<{ params: ObjectParams }> {
  return async (ctx) => {
    const { warehouse } = ctx.params;
    const { namespace, object } = await requireObjectRef(ctx.db, kind, warehouse, parseNamespace(ctx.params.namespace), ctx.params[kind]);
    return json(200, annotation(kind, warehouse, namespace.levels, object.name, object));
  };
}
