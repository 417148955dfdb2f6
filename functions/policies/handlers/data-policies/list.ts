import { json, type Handler } from '../../../../shared/http/index.js';
import type { DataPolicyInput } from '../../../../shared/policy/index.js';
import type { ListPoliciesQuery } from '../../schemas.js';
import { dataPolicyStore } from '../../store/data-policy-store.js';
import { policyAdmin } from './policy-admin.js';
import { toApi } from './policy-changes.js';

export const listDataPolicies: Handler<{ query: typeof ListPoliciesQuery }> = async (ctx) => {
  const admin = await policyAdmin(ctx.platform, ctx.requirePrincipal());
  const page = await dataPolicyStore(ctx.db).list(ctx.query);
  // A delegated admin sees the policies it manages; a page may then hold fewer than pageSize.
  const items = page.rows.map(toApi).filter((p) => admin.canSee(p as DataPolicyInput));
  return json(200, { items, nextPageToken: page.nextPageToken, policySetVersion: page.policySetVersion });
};
