import { json, type Handler } from '../../../../shared/http/index.js';
import type { DataPolicyInput } from '../../../../shared/policy/index.js';
import type { IdParams } from '../../schemas.js';
import { requireHistory } from './policy-admin.js';

export const dataPolicyHistory: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const rows = await requireHistory(ctx.db, ctx.params.id);
  return json(200, {
    items: rows.map((r) => ({
      version: r.version,
      change: r.change,
      policySetVersion: Number(r.set_version),
      changedAt: r.changed_at.toISOString(),
      changedBy: r.changed_by,
      policy: r.document as unknown as DataPolicyInput,
    })),
  });
};
