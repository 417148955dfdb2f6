import { json, type Handler } from '../../../../shared/http/index.js';
import type { DataPolicyInput } from '../../../../shared/policy/index.js';
import { actorOf, createPolicy, toApi } from './policy-changes.js';

export const createDataPolicy: Handler<{ body: typeof DataPolicyInput }> = async (ctx) => {
  const row = await createPolicy(ctx.platform, ctx.tx, ctx.body, actorOf(ctx.requirePrincipal()));
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  ctx.auditResource = `policies/${row.id}`;
  const policy = toApi(row);
  return json(201, policy, { location: `/api/v1/policies/${policy.id}`, etag: `"${policy.version}"` });
};
