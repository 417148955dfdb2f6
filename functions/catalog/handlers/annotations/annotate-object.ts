import { json, type Handler } from '../../../../shared/http/index.js';
import { annotationUpdate, changedFields } from '../../domain/annotations.js';
import { displayNamespace, parseNamespace } from '../../domain/identifiers.js';
import type { AnnotationPatch } from '../../schemas/discovery-schemas.js';
import { annotationStore } from '../../store/annotations.js';
import type { ObjectKind } from '../../store/catalog-objects.js';
import { actorOf, annotation, checkVersion, publishChange, requireObjectRef } from './common.js';
import type { ObjectParams } from './read-object.js';

/** Changes the annotations of a table or a view; Iceberg commits do not change their version. */
export function annotateObject(kind: ObjectKind): Handler<{ params: ObjectParams; body: typeof AnnotationPatch }> {
  return async (ctx) => {
    const { warehouse } = ctx.params;
    const levels = parseNamespace(ctx.params.namespace);
    const name = ctx.params[kind];
    const store = annotationStore(ctx.tx);
    const { namespace, object } = await requireObjectRef(ctx.tx, kind, warehouse, levels, name);
    const current = await store.lockObject(object.id);
    checkVersion(ctx.body.version, current.version, `${kind} ${displayNamespace(levels)}.${name}`);
    const updated = await store.updateObject(object.id, annotationUpdate(ctx.body, current));
    await publishChange(ctx.tx, ctx.platform, `catalog/${warehouse}/${kind}s/${object.id}`, {
      target: kind,
      warehouse,
      namespace: namespace.levels,
      name: updated.name,
      changed: changedFields(ctx.body),
      version: updated.version,
      actor: actorOf(ctx.requirePrincipal()),
    });
    return json(200, annotation(kind, warehouse, namespace.levels, updated.name, updated));
  };
}
