import { json, type Handler } from '../../../../shared/http/index.js';
import { annotationUpdate, changedFields } from '../../domain/annotations.js';
import { displayNamespace, parseNamespace } from '../../domain/identifiers.js';
import type { AnnotationPatch, NamespaceAnnotationParams } from '../../schemas/discovery-schemas.js';
import { annotationStore } from '../../store/annotations.js';
import { actorOf, annotation, checkVersion, publishChange, requireNamespaceRow } from './common.js';

export const annotateNamespace: Handler<{ params: typeof NamespaceAnnotationParams; body: typeof AnnotationPatch }> = async (ctx) => {
  const { warehouse } = ctx.params;
  const levels = parseNamespace(ctx.params.namespace);
  const store = annotationStore(ctx.tx);
  const { id } = await requireNamespaceRow(ctx.tx, warehouse, levels);
  const current = await store.lockNamespace(id);
  checkVersion(ctx.body.version, current.version, `namespace ${displayNamespace(levels)}`);
  const updated = await store.updateNamespace(id, annotationUpdate(ctx.body, current));
  await publishChange(ctx.tx, ctx.platform, `catalog/${warehouse}/namespaces/${displayNamespace(levels)}`, {
    target: 'namespace',
    warehouse,
    namespace: updated.levels,
    changed: changedFields(ctx.body),
    version: updated.version,
    actor: actorOf(ctx.requirePrincipal()),
  });
  return json(200, annotation('namespace', warehouse, updated.levels, undefined, updated));
};
