import type { Static } from '@sinclair/typebox';
import type { Platform } from '../../../shared/platform/index.js';
import { explainDecision, objectTags, type DataResource, type RequestedAccess, type Subject } from '../../../shared/policy/index.js';
import type { DecideRequest, Decision } from '../schemas.js';

type ResourceInput = Static<typeof DecideRequest>['resource'];

/** One decision for the API: the tags given in the request, or else the catalog's tags of the object. */
export async function decide(platform: Platform, subject: Subject, access: RequestedAccess, input: ResourceInput): Promise<Static<typeof Decision>> {
  const set = await platform.dataPolicies.get();
  const resource: DataResource = {
    warehouse: input.warehouse,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...(input.namespace && input.table !== undefined ? { table: input.table } : {}),
    ...(input.namespace && input.table !== undefined && input.column !== undefined ? { column: input.column } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  };
  const tagsOf = set.hasTagPolicies ? async (r: DataResource) => (r.table !== undefined ? objectTags(platform.store.db, r) : undefined) : undefined;
  const { decision: d, masks, rowFilter } = await explainDecision(set, subject, access, resource, input.columns, tagsOf);
  return {
    decision: d.allowed ? 'allow' : 'deny',
    policyId: d.policyId ?? null,
    policyName: d.policyName ?? null,
    policyVersion: d.policyVersion ?? null,
    policySetVersion: set.version,
    audit: d.audit,
    masks: masks.map((m) => ({ column: m.column, type: m.type, ...(m.expression !== undefined ? { expression: m.expression } : {}), policyId: m.policyId })),
    rowFilter: rowFilter ?? null,
  };
}
