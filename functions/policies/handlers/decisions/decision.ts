import type { Static } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import {
  explainDecision,
  normalizeUrl,
  resourceTags,
  tagAttributeMapProblems,
  URL_ACCESS_TYPES,
  type AccessDecision,
  type DataResource,
  type RequestedAccess,
  type Subject,
} from '../../../../shared/policy/index.js';
import type { DecideRequest, Decision } from '../../schemas.js';

type ResourceInput = Static<typeof DecideRequest>['resource'];

/**
 * A level given without the one above it names nothing: a column without its table is refused, as policy creation
 * refuses it, rather than decided for the table. A storage path (url) stands alone and is read or written. `at` is
 * where the resource sits in the body, `accessAt` where its access does.
 */
export function resourceProblems(input: ResourceInput, at: string, access: RequestedAccess, accessAt: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const fileAccess = (URL_ACCESS_TYPES as readonly string[]).includes(access);
  if (input.url !== undefined) {
    const others = (['warehouse', 'namespace', 'table', 'column', 'columns', 'tags', 'tagAttributes'] as const).filter((k) => input[k] !== undefined);
    if (others.length > 0) out.push({ in: 'body', field: `${at}.url`, message: `a storage path is decided on its own: leave out ${others.join(', ')}` });
    const normal = normalizeUrl(input.url);
    if ('problem' in normal) out.push({ in: 'body', field: `${at}.url`, message: normal.problem });
    if (!fileAccess && access !== 'any')
      out.push({ in: 'body', field: accessAt, message: `a storage path (url) is read or written: ask read, write or any, not ${access}` });
    return out;
  }
  if (input.warehouse === undefined) out.push({ in: 'body', field: `${at}.warehouse`, message: 'is required (or url, for a storage path)' });
  if (fileAccess) out.push({ in: 'body', field: accessAt, message: `${access} is asked of storage paths (resource.url), not of catalog objects` });
  if (input.table !== undefined && input.namespace === undefined)
    out.push({ in: 'body', field: `${at}.namespace`, message: 'is required when table is given' });
  if (input.column !== undefined && input.table === undefined) out.push({ in: 'body', field: `${at}.table`, message: 'is required when column is given' });
  if (input.columns !== undefined && input.table === undefined) out.push({ in: 'body', field: `${at}.table`, message: 'is required when columns are given' });
  // Given tags are the object's tags as they are; their attributes come with them, never half from the catalog.
  if (input.tagAttributes !== undefined) {
    if (input.tags === undefined)
      out.push({
        in: 'body',
        field: `${at}.tagAttributes`,
        message: "is given with tags only: without tags, the catalog's tags are looked up with their attributes",
      });
    else
      for (const p of tagAttributeMapProblems(input.tags, input.tagAttributes))
        out.push({ in: 'body', field: `${at}.tagAttributes.${p.field}`, message: p.message });
  }
  return out;
}

/** The access time a request asks about (validity schedules are read at it); default: now. */
export function accessTimeOf(accessTime: string | undefined): number {
  return accessTime === undefined ? Date.now() : Date.parse(accessTime);
}

/** One decision for the API: the tags given in the request, or else the catalog's tags of the object. */
export async function decide(
  platform: FunctionServices,
  subject: Subject,
  access: RequestedAccess,
  input: ResourceInput,
  at: number,
): Promise<Static<typeof Decision>> {
  const set = await platform.dataPolicies.get();
  if (input.url !== undefined) {
    const normal = normalizeUrl(input.url);
    if ('problem' in normal) throw new ValidationError([{ in: 'body', field: 'resource.url', message: normal.problem }]);
    const { decision: d } = await explainDecision(set, subject, access, { url: normal.url }, undefined, undefined, at);
    return { ...answer(d, set.version, at), url: normal.url, masks: [], rowFilter: null };
  }
  const resource: DataResource = {
    warehouse: input.warehouse!,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...(input.table !== undefined ? { table: input.table } : {}),
    ...(input.column !== undefined ? { column: input.column } : {}),
    ...(input.tags ? { tags: resourceTags(input.tags, input.tagAttributes) } : {}),
  };
  const tagsOf = set.hasTagPolicies ? async (r: DataResource) => (r.table !== undefined ? platform.objectTags.tagsOf(r) : undefined) : undefined;
  const { decision: d, masks, rowFilter } = await explainDecision(set, subject, access, resource, input.columns, tagsOf, at);
  return {
    ...answer(d, set.version, at),
    masks: masks.map((m) => ({ column: m.column, type: m.type, ...(m.expression !== undefined ? { expression: m.expression } : {}), policyId: m.policyId })),
    rowFilter: rowFilter ?? null,
  };
}

const answer = (d: AccessDecision, setVersion: number, at: number) => ({
  decision: d.allowed ? ('allow' as const) : ('deny' as const),
  policyId: d.policyId ?? null,
  policyName: d.policyName ?? null,
  policyVersion: d.policyVersion ?? null,
  policySetVersion: setVersion,
  audit: d.audit,
  accessTime: new Date(at).toISOString(),
});

/** Every problem of a batch's resources at once, or nothing. */
export function assertResources(list: ReadonlyArray<{ resource: ResourceInput; at: string; access: RequestedAccess; accessAt: string }>): void {
  const problems = list.flatMap((r) => resourceProblems(r.resource, r.at, r.access, r.accessAt));
  if (problems.length > 0) throw new ValidationError(problems);
}
