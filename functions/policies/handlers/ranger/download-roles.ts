import { json, type Handler } from '../../../../shared/http/index.js';
import { rangerRoles } from '../../ranger/downloads.js';
import { pluginService } from '../../ranger/services.js';
import type { RolesDownloadQuery, ServiceParams } from '../../schemas.js';
import { rangerStore } from '../../store/ranger-store.js';

/** Ranger's RangerRoles; 304 when the plugin has the current role version. */
export const downloadRoles: Handler<{ params: typeof ServiceParams; query: typeof RolesDownloadQuery }> = async (ctx) => {
  const service = pluginService(ctx.params.serviceName);
  const store = rangerStore(ctx.db);
  const state = await store.state();
  if ((ctx.query.lastKnownRoleVersion ?? -1) === state.roleVersion) return { status: 304 };
  return json(200, rangerRoles(service, state, await store.admins()));
};
