import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { TableParams } from '../../schemas/iceberg-requests.js';
import { requireObject } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';
import { actorOf } from '../actor.js';
import { objectNamed } from '../objects/common.js';
import { commitResult } from '../table-files.js';
import { forgetSignableTables } from '../table-signing.js';

/** unregisterTable: the catalog forgets the table and answers its last metadata; its files stay for another catalog to register. */
export const unregisterTable: Handler<{ params: typeof TableParams }> = async (ctx) => {
  const { prefix, levels, name } = objectNamed('table', ctx.params);
  const { warehouse, namespace, object } = await requireObject(ctx.tx, 'table', prefix, levels, name, true);
  await objectStore(ctx.tx).delete(object.id);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: CatalogEvents.tableDropped,
    subject: `catalog/${warehouse.name}/tables/${object.id}`,
    data: {
      warehouse: warehouse.name,
      namespace: namespace.levels,
      name,
      uuid: object.id,
      metadataLocation: object.metadata_location,
      purged: false,
      actor: actorOf(ctx.requirePrincipal()).name,
    },
  });
  ctx.afterCommit(() => forgetSignableTables(ctx.platform, prefix, [{ namespace: levels, name }]));
  return json(200, commitResult(object.metadata_location, object.metadata));
};
