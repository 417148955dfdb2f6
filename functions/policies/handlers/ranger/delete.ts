import { BadRequestError } from '../../../../shared/errors/index.js';
import { noContent, type Handler, type OperationContext, type Reply } from '../../../../shared/http/index.js';
import { service } from '../../ranger/services.js';
import type { RangerListQuery } from '../../schemas.js';
import { actorOf, deletePolicy } from '../data-policies/policy-changes.js';
import { ADMIN_CHECKED, findPolicy, locate, type PolicyPath } from './find-policy.js';

export const deleteRangerPolicy = async (ctx: OperationContext<PolicyPath>): Promise<Reply> => {
  const { stored } = await locate(ctx.tx, ctx.params);
  ctx.auditResource = `policies/${stored.policy.id}`;
  await deletePolicy(ctx.platform, ctx.tx, stored.policy.id, undefined, actorOf(ctx.requirePrincipal()), ADMIN_CHECKED);
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  return noContent();
};

/** ?servicename=&policyname= (or the camel-case spellings). */
export const deleteRangerPolicyByName: Handler<{ query: typeof RangerListQuery }> = async (ctx) => {
  const svcName = ctx.query.servicename ?? ctx.query.serviceName;
  const name = ctx.query.policyname ?? ctx.query.policyName;
  if (!svcName || !name) throw new BadRequestError('servicename and policyname are required');
  const { stored } = await findPolicy(ctx.tx, { name }, service(svcName));
  await deletePolicy(ctx.platform, ctx.tx, stored.policy.id, undefined, actorOf(ctx.requirePrincipal()), ADMIN_CHECKED);
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  return noContent();
};
