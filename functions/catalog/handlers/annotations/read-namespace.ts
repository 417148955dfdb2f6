import { json, type Handler } from '../../../../shared/http/index.js';
import { parseNamespace } from '../../domain/identifiers.js';
import type { NamespaceAnnotationParams } from '../../schemas/discovery-schemas.js';
import { annotation, requireNamespaceRow } from './common.js';

export const readNamespaceAnnotations: Handler<{ params: typeof NamespaceAnnotationParams }> = async (ctx) => {
  const { warehouse } = ctx.params;
  const n = await requireNamespaceRow(ctx.db, warehouse, parseNamespace(ctx.params.namespace));
  return json(200, annotation('namespace', warehouse, n.levels, undefined, { ...n, version: n.annotation_version, updated_at: n.annotated_at }));
};
