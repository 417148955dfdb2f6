import { json, type Handler } from '../../../../shared/http/index.js';
import { servicePolicies } from '../../ranger/downloads.js';
import { pluginService } from '../../ranger/services.js';
import type { PolicyDownloadQuery, ServiceParams } from '../../schemas.js';
import { rangerStore } from '../../store/ranger-store.js';

/** Ranger's ServicePolicies; 304 when the plugin has the set's current version. */
export const downloadPolicies: Handler<{ params: typeof ServiceParams; query: typeof PolicyDownloadQuery }> = async (ctx) => {
  const service = pluginService(ctx.params.serviceName);
  const read = await rangerStore(ctx.db).policies(ctx.query.lastKnownVersion ?? -1);
  return read ? json(200, servicePolicies(service, read.state, read.rows)) : { status: 304 };
};
