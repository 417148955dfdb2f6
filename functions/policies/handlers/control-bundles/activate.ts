import { json, type Handler } from '../../../../shared/http/index.js';
import type { BundleParams } from '../../schemas.js';
import { putInForce } from './put-in-force.js';

export const activateBundle: Handler<{ params: typeof BundleParams }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const inForce = await putInForce(ctx.platform, ctx.tx, ctx.params.id, 'activate', `${principal.kind}:${principal.name}`);
  ctx.afterCommit(() => ctx.platform.controlPolicies.invalidate());
  return json(200, inForce);
};
