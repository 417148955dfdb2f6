import { BadRequestError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import { parseViewMetadata, type ViewMetadata } from '../../domain/view-metadata.js';
import type { NamespaceParams, RegisterViewRequest } from '../../schemas/iceberg-requests.js';
import { requireNamespace } from '../../store/catalog-objects.js';
import { actorOf } from '../actor.js';
import { ensureNameFree, insertObject } from '../objects/common.js';
import { checkObjectLocations, readMetadataFile } from '../table-files.js';
import { loadViewResult, viewText } from './common.js';

/** registerView: adopts an existing view metadata file in the warehouse. */
export const registerView: Handler<{ params: typeof NamespaceParams; body: typeof RegisterViewRequest }> = async (ctx) => {
  const { name, 'metadata-location': metadataLocation } = ctx.body;
  const { warehouse, namespace } = await requireNamespace(ctx.tx, ctx.params.prefix, namespaceOf(ctx.params), true);
  await ensureNameFree(ctx.tx, namespace, name, 'view');
  const doc = await readMetadataFile(warehouse, metadataLocation);
  let metadata: ViewMetadata;
  try {
    metadata = parseViewMetadata(doc);
  } catch (err) {
    throw new BadRequestError(`metadata-location ${metadataLocation} is not view metadata: ${(err as Error).message}`);
  }
  checkObjectLocations(warehouse, metadata, null, { in: 'body', field: 'metadata-location', label: 'the location its metadata names,' });
  const text = viewText(metadata);
  await insertObject(
    ctx.tx,
    ctx.platform,
    'view',
    warehouse,
    namespace,
    name,
    metadata['view-uuid'],
    { location: metadataLocation, text },
    actorOf(ctx.requirePrincipal()),
  );
  return json(200, loadViewResult(metadataLocation, text));
};
