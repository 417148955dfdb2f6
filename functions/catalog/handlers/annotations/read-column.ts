import { json, type Handler } from '../../../../shared/http/index.js';
import { parseNamespace } from '../../domain/identifiers.js';
import type { columnAnnotationParams } from '../../schemas/discovery-schemas.js';
import { findAnnotatedColumn } from '../../store/catalog-columns.js';
import type { ObjectKind } from '../../store/catalog-objects.js';
import { columnAnnotation, noSuchColumn, requireObjectRef } from './common.js';

export type ColumnParams = ReturnType<typeof columnAnnotationParams<ObjectKind>>;

export function readColumnAnnotations(kind: ObjectKind): Handler<{ params: ColumnParams }> {
  return async (ctx) => {
    const { warehouse, column } = ctx.params;
    const levels = parseNamespace(ctx.params.namespace);
    const name = ctx.params[kind];
    const { namespace, object } = await requireObjectRef(ctx.db, kind, warehouse, levels, name);
    const c = await findAnnotatedColumn(ctx.db, object.id, column);
    if (!c) throw noSuchColumn(kind, levels, name, column);
    return json(200, columnAnnotation(warehouse, namespace.levels, kind, object.name, c));
  };
}
