import { ConflictError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { controlBundleStore } from '../../store/control-bundle-store.js';
import { putInForce } from './put-in-force.js';

/** Back to what was in force before the current activation (the shipped bundle if nothing was). */
export const rollbackBundle: Handler = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const history = await controlBundleStore(ctx.tx).activations(2);
  if (history.length === 0) throw new ConflictError('nothing to roll back: the shipped control policies have been in force all along');
  const inForce = await putInForce(ctx.platform, ctx.tx, history[1]?.bundle_id ?? null, 'rollback', `${principal.kind}:${principal.name}`);
  ctx.afterCommit(() => ctx.platform.controlPolicies.invalidate());
  return json(200, inForce);
};
