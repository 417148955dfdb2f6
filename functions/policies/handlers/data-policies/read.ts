import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { requirePolicy, toApi } from './policy-changes.js';

export const readDataPolicy: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const policy = toApi(await requirePolicy(ctx.db, ctx.params.id));
  return json(200, policy, { etag: `"${policy.version}"` });
};
