import type { Static } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { explainDecision, objectTags, type DataResource, type RequestedAccess, type Subject } from '../../../shared/policy/index.js';
import type { DecideRequest, Decision } from '../schemas.js';

type ResourceInput = Static<typeof DecideRequest>['resource'];

/**
 * A level given without the one above it names nothing: a column without its table is refused, as policy creation
 * refuses it, rather than decided for the table. `at` is where the resource sits in the body.
 */
export function resourceProblems(input: ResourceInput, at: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (input.table !== undefined && input.namespace === undefined) out.push({ in: 'body', field: `${at}.namespace`, message: 'is required when table is given' });
  if (input.column !== undefined && input.table === undefined) out.push({ in: 'body', field: `${at}.table`, message: 'is required when column is given' });
  if (input.columns !== undefined && input.table === undefined) out.push({ in: 'body', field: `${at}.table`, message: 'is required when columns are given' });
  return out;
}

/** The access time a request asks about (validity schedules are read at it); default: now. */
export function accessTimeOf(accessTime: string | undefined): number {
  return accessTime === undefined ? Date.now() : Date.parse(accessTime);
}

/** One decision for the API: the tags given in the request, or else the catalog's tags of the object. */
export async function decide(platform: Platform, subject: Subject, access: RequestedAccess, input: ResourceInput, at: number): Promise<Static<typeof Decision>> {
  const set = await platform.dataPolicies.get();
  const resource: DataResource = {
    warehouse: input.warehouse,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...(input.table !== undefined ? { table: input.table } : {}),
    ...(input.column !== undefined ? { column: input.column } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  };
  const tagsOf = set.hasTagPolicies ? async (r: DataResource) => (r.table !== undefined ? objectTags(platform.store.db, r) : undefined) : undefined;
  const { decision: d, masks, rowFilter } = await explainDecision(set, subject, access, resource, input.columns, tagsOf, at);
  return {
    decision: d.allowed ? 'allow' : 'deny',
    policyId: d.policyId ?? null,
    policyName: d.policyName ?? null,
    policyVersion: d.policyVersion ?? null,
    policySetVersion: set.version,
    audit: d.audit,
    accessTime: new Date(at).toISOString(),
    masks: masks.map((m) => ({ column: m.column, type: m.type, ...(m.expression !== undefined ? { expression: m.expression } : {}), policyId: m.policyId })),
    rowFilter: rowFilter ?? null,
  };
}

/** Every problem of a batch's resources at once, or nothing. */
export function assertResources(list: ReadonlyArray<{ resource: ResourceInput; at: string }>): void {
  const problems = list.flatMap((r) => resourceProblems(r.resource, r.at));
  if (problems.length > 0) throw new ValidationError(problems);
}
