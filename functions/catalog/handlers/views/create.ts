import { randomUUID } from 'node:crypto';
import { json, type Handler } from '../../../../shared/http/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import { ViewMetadataBuilder } from '../../domain/view-metadata.js';
import type { CreateViewRequest, NamespaceParams } from '../../schemas/iceberg-requests.js';
import { requireNamespace } from '../../store/catalog-objects.js';
import { actorOf } from '../actor.js';
import { ensureNameFree, insertObject, objectLocation } from '../objects/common.js';
import { checkObjectLocations } from '../table-files.js';
import { loadViewResult, writeViewMetadata } from './common.js';

/** createView: schema and first version in, as Java's view builder does (the version takes the schema's id). */
export const createView: Handler<{ params: typeof NamespaceParams; body: typeof CreateViewRequest }> = async (ctx) => {
  const req = ctx.body;
  const { warehouse, namespace } = await requireNamespace(ctx.tx, ctx.params.prefix, namespaceOf(ctx.params), true);
  await ensureNameFree(ctx.tx, namespace, req.name, 'view');
  const uuid = randomUUID();
  const location = objectLocation(warehouse, namespace, req.name, uuid, req.location);
  checkObjectLocations(warehouse, { location, properties: req.properties ?? {} }, null);
  const builder = new ViewMetadataBuilder(null);
  builder.applyAll([
    { action: 'assign-uuid', uuid },
    { action: 'set-location', location },
    { action: 'set-properties', updates: req.properties ?? {} },
  ]);
  const schemaId = builder.addSchema(req.schema);
  builder.addVersion({ ...req['view-version'], 'schema-id': schemaId });
  builder.apply({ action: 'set-current-view-version', 'view-version-id': -1 });
  const metadata = builder.build();
  const written = await writeViewMetadata(warehouse, metadata, null);
  await insertObject(ctx.tx, ctx.platform, 'view', warehouse, namespace, req.name, uuid, written, actorOf(ctx.requirePrincipal()));
  return json(200, loadViewResult(written.location, written.text));
};
