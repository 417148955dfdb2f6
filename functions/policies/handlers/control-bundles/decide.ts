import { json, type Handler } from '../../../../shared/http/index.js';
import type { ControlDecideBody } from '../../schemas.js';

/** The control policies in force, asked about any principal, action and resource; nothing changes. */
export const decideControl: Handler<{ body: typeof ControlDecideBody }> = async (ctx) => {
  const d = await ctx.platform.controlPolicies.decide(ctx.body);
  return json(200, { allowed: d.allowed, reasons: d.reasons, controlVersion: d.controlVersion, bundle: d.bundleId ?? 'shipped' });
};
