import { ifMatchVersion, json, type Handler } from '../../../../shared/http/index.js';
import type { DataPolicyInput } from '../../../../shared/policy/index.js';
import type { IdParams } from '../../schemas.js';
import { policyAdmin } from './policy-admin.js';
import { actorOf, replacePolicy, toApi } from './policy-changes.js';

/** In steps: the caller's delegations are read first, so the check under the row lock is pure. */
export const replaceDataPolicy: Handler<{ params: typeof IdParams; body: typeof DataPolicyInput }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const admin = await policyAdmin(ctx.platform, principal);
  const expected = ifMatchVersion(ctx.headers['if-match'], 'policy');
  const reply = await ctx.transact(async (tx) => {
    const policy = toApi(await replacePolicy(ctx.platform, tx, ctx.params.id, ctx.body, expected, actorOf(principal), admin.mayManage));
    return json(200, policy, { etag: `"${policy.version}"` });
  });
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  return reply;
};
