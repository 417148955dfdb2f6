import type { Handler } from '../../../../shared/http/index.js';
import { service } from '../../ranger/services.js';
import type { ServiceParams } from '../../schemas.js';

/** Plugins may also poll the user store; we do not serve it, and say "nothing new" rather than fail them. */
export const downloadUsers: Handler<{ params: typeof ServiceParams }> = async (ctx) => {
  service(ctx.params.serviceName);
  return { status: 304 };
};
