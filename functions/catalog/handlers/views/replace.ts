import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { CommitFailedError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { parseJsonLossless } from '../../../../shared/json/index.js';
import { ViewMetadataBuilder, parseViewMetadata } from '../../domain/view-metadata.js';
import type { CommitViewRequest, ViewParams } from '../../schemas/iceberg-requests.js';
import { requireObject } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';
import { actorOf } from '../actor.js';
import { objectNamed } from '../objects/common.js';
import { checkObjectLocations } from '../table-files.js';
import { loadViewResult, writeViewMetadata } from './common.js';

/** replaceView: requirements checked against the locked view, updates applied, a new metadata file written, the pointer swapped. */
export const replaceView: Handler<{ params: typeof ViewParams; body: typeof CommitViewRequest }> = async (ctx) => {
  const req = ctx.body;
  const { prefix, levels, name } = objectNamed('view', ctx.params);
  const { warehouse, namespace, object } = await requireObject(ctx.tx, 'view', prefix, levels, name, true);
  const base = parseViewMetadata(parseJsonLossless(object.metadata));
  for (const r of req.requirements ?? []) {
    if (r.uuid.toLowerCase() !== base['view-uuid'].toLowerCase())
      throw new CommitFailedError(`Requirement failed: view UUID does not match: expected ${base['view-uuid']} != ${r.uuid}`);
  }
  const metadata = new ViewMetadataBuilder(base).applyAll(req.updates).build();
  if (metadata === base) return json(200, loadViewResult(object.metadata_location, object.metadata));
  checkObjectLocations(warehouse, metadata, base);
  const written = await writeViewMetadata(warehouse, metadata, object.metadata_location);
  const swapped = await objectStore(ctx.tx).repoint(object.id, written, object.metadata_location);
  if (!swapped) throw new CommitFailedError(`Commit failed: view ${name} was changed concurrently`);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: CatalogEvents.viewReplaced,
    subject: `catalog/${warehouse.name}/views/${object.id}`,
    data: {
      warehouse: warehouse.name,
      namespace: namespace.levels,
      name,
      uuid: object.id,
      metadataLocation: written.location,
      previousMetadataLocation: object.metadata_location,
      updates: req.updates.map((u) => u.action),
      actor: actorOf(ctx.requirePrincipal()).name,
    },
  });
  return json(200, loadViewResult(written.location, written.text));
};
