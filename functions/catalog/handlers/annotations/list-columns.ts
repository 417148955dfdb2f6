import { json, type Handler } from '../../../../shared/http/index.js';
import { parseNamespace } from '../../domain/identifiers.js';
import { listAnnotatedColumns } from '../../store/catalog-columns.js';
import type { ObjectKind } from '../../store/catalog-objects.js';
import { columnAnnotation, requireObjectRef } from './common.js';
import type { ObjectParams } from './read-object.js';

/** The columns of a table's or view's current schema, in schema order, each with its description and tags. */
export function listColumns(kind: ObjectKind): Handler<{ params: ObjectParams }> {
  return async (ctx) => {
    const { warehouse } = ctx.params;
    const { namespace, object } = await requireObjectRef(ctx.db, kind, warehouse, parseNamespace(ctx.params.namespace), ctx.params[kind]);
    const columns = await listAnnotatedColumns(ctx.db, object.id);
    return json(200, { items: columns.map((c) => columnAnnotation(warehouse, namespace.levels, kind, object.name, c)) });
  };
}
