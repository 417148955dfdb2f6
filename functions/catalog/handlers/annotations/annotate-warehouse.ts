import { json, type Handler } from '../../../../shared/http/index.js';
import { annotationUpdate, changedFields } from '../../domain/annotations.js';
import type { AnnotationPatch, WarehouseAnnotationParams } from '../../schemas/discovery-schemas.js';
import { annotationStore } from '../../store/annotations.js';
import { requireWarehouse } from '../../store/warehouses.js';
import { actorOf, annotation, checkVersion, publishChange } from './common.js';

/** Warehouses keep one version for all their settings: the warehouse PATCH route edits these fields too. */
export const annotateWarehouse: Handler<{ params: typeof WarehouseAnnotationParams; body: typeof AnnotationPatch }> = async (ctx) => {
  const { warehouse } = ctx.params;
  const store = annotationStore(ctx.tx);
  const { id } = await requireWarehouse(ctx.tx, warehouse);
  const current = await store.lockWarehouse(id);
  checkVersion(ctx.body.version, current.version, `warehouse ${warehouse}`);
  const updated = await store.updateWarehouse(id, annotationUpdate(ctx.body, current));
  await publishChange(ctx.tx, ctx.platform, `catalog/${warehouse}`, {
    target: 'warehouse',
    warehouse,
    changed: changedFields(ctx.body),
    version: updated.version,
    actor: actorOf(ctx.requirePrincipal()),
  });
  return json(200, annotation('warehouse', updated.name, undefined, undefined, updated));
};
