import { json, type Handler } from '../../../../shared/http/index.js';
import { annotationUpdate, changedFields } from '../../domain/annotations.js';
import { displayNamespace, parseNamespace } from '../../domain/identifiers.js';
import type { ColumnAnnotationPatch } from '../../schemas/discovery-schemas.js';
import { annotationStore } from '../../store/annotations.js';
import { findAnnotatedColumn } from '../../store/catalog-columns.js';
import type { ObjectKind } from '../../store/catalog-objects.js';
import { actorOf, checkVersion, columnAnnotation, noSuchColumn, publishChange, requireObjectRef } from './common.js';
import type { ColumnParams } from './read-column.js';

/** Column annotations are kept by field id: they follow a renamed column and stay with a dropped one's id. */
export function annotateColumn(kind: ObjectKind): Handler<{ params: ColumnParams; body: typeof ColumnAnnotationPatch }> {
  return async (ctx) => {
    const { warehouse, column } = ctx.params;
    const levels = parseNamespace(ctx.params.namespace);
    const name = ctx.params[kind];
    const store = annotationStore(ctx.tx);
    const { namespace, object } = await requireObjectRef(ctx.tx, kind, warehouse, levels, name);
    const c = await findAnnotatedColumn(ctx.tx, object.id, column);
    if (!c) throw noSuchColumn(kind, levels, name, column);
    const current = await store.lockColumn(object.id, c.field_id);
    checkVersion(ctx.body.version, current.version, `column ${column} of ${kind} ${displayNamespace(levels)}.${name}`);
    const updated = await store.updateColumn(object.id, c.field_id, annotationUpdate(ctx.body, current));
    await publishChange(ctx.tx, ctx.platform, `catalog/${warehouse}/${kind}s/${object.id}/columns/${c.field_id}`, {
      target: 'column',
      warehouse,
      namespace: namespace.levels,
      name: object.name,
      column: c.path,
      fieldId: c.field_id,
      changed: changedFields(ctx.body),
      version: updated.version,
      actor: actorOf(ctx.requirePrincipal()),
    });
    return json(200, columnAnnotation(warehouse, namespace.levels, kind, object.name, { ...c, ...updated }));
  };
}
