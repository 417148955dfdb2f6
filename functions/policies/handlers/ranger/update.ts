import { json, type OperationContext, type Reply } from '../../../../shared/http/index.js';
import { fromRangerPolicy, type RangerPolicyIn } from '../../ranger/from-ranger.js';
import { service } from '../../ranger/services.js';
import { actorOf, replacePolicy } from '../data-policies/policy-changes.js';
import { ADMIN_CHECKED, findPolicy, locate, type PolicyPath } from './find-policy.js';

export const updateRangerPolicy = async (ctx: OperationContext<PolicyPath, unknown, RangerPolicyIn>): Promise<Reply> => {
  const { stored } = await locate(ctx.tx, ctx.params);
  const svc = service(ctx.body.service);
  ctx.auditResource = `policies/${stored.policy.id}`;
  await replacePolicy(ctx.platform, ctx.tx, stored.policy.id, fromRangerPolicy(ctx.body, svc), undefined, actorOf(ctx.requirePrincipal()), ADMIN_CHECKED);
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  return json(200, (await findPolicy(ctx.tx, { guid: stored.policy.id }, svc)).ranger);
};
