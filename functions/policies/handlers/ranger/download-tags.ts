import { json, type Handler } from '../../../../shared/http/index.js';
import { serviceTags } from '../../ranger/downloads.js';
import { pluginService } from '../../ranger/services.js';
import type { ServiceParams, TagsDownloadQuery } from '../../schemas.js';
import { rangerStore } from '../../store/ranger-store.js';

/** Ranger's ServiceTags; 304 when lastKnownVersion is the current digest. */
export const downloadTags: Handler<{ params: typeof ServiceParams; query: typeof TagsDownloadQuery }> = async (ctx) => {
  const service = pluginService(ctx.params.serviceName);
  const rows = service.kind === 'tag' ? [] : await rangerStore(ctx.db).tagged(service.kind === 'hive' ? service.warehouse : undefined);
  const doc = serviceTags(service, rows, ctx.query.lastKnownVersion ?? -1);
  return doc ? json(200, doc) : { status: 304 };
};
