import type { LakehouseRow } from '../../../shared/db/index.js';
import type { RequestContext } from '../../../shared/http/index.js';
import { specOf, type LakehouseSpec } from '../../../shared/domains/lakehouses/index.js';

type Ctx = RequestContext<unknown, unknown, unknown>;

/**
 * Asks the control policies about a lakehouse action, telling them its owner and the executors it may scale to (the
 * shipped Rego lets members manage their own lakehouses and caps executors).
 */
export async function authorizeLakehouse(ctx: Ctx, verb: string, resource: string, lakehouse: { owner: string; spec: Pick<LakehouseSpec, 'executors'> } | undefined): Promise<void> {
  const request = lakehouse ? { owner: lakehouse.owner, executors: lakehouse.spec.executors.max } : {};
  await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `lakehouses:lakehouse:${verb}`, resource, request);
}

export const lakehouseOf = (row: LakehouseRow) => ({ owner: row.owner, spec: specOf(row) });

export function actorOf(ctx: Ctx): string {
  const p = ctx.requirePrincipal();
  return `${p.kind}:${p.name}`;
}
