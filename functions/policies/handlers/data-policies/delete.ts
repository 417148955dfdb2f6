import { ifMatchVersion, noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { policyAdmin } from './policy-admin.js';
import { actorOf, deletePolicy } from './policy-changes.js';

/** In steps: the caller's delegations are read first, so the check under the row lock is pure. */
export const deleteDataPolicy: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const admin = await policyAdmin(ctx.platform, principal);
  const expected = ifMatchVersion(ctx.headers['if-match'], 'policy');
  await ctx.transact(async (tx) => {
    await deletePolicy(ctx.platform, tx, ctx.params.id, expected, actorOf(principal), admin.mayManage);
    return noContent();
  });
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  return noContent();
};
