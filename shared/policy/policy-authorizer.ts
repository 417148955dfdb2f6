import type { Principal } from '../auth/index.js';
import { textArray, type Executor } from '../db/index.js';
import { ForbiddenError } from '../errors/index.js';
import type { Authorizer, PlatformRules } from './authorize.js';
import { dataResourceOf, resourceText, type Resource } from './resource.js';
import { dataAccessFor } from './data-access/catalog-actions.js';
import type { AccessDecision, RequestedAccess, Subject } from './data-access/evaluator.js';
import type { DataPolicyCache } from './data-access/policy-store.js';
import type { DecisionLog } from './decision-log.js';
import { namespaceText, type DataResource } from './data-access/resource-match.js';
import { resourceTags, type ResourceTag } from './data-access/tag-attributes.js';

/** Ranger's subject for a principal: its name, its groups, and role `admin` for platform admins. */
export function subjectOf(principal: Principal): Subject {
  return { user: principal.name, groups: principal.groups, roles: principal.isAdmin ? ['admin'] : [] };
}

function describe(r: DataResource): string {
  return [r.warehouse, r.namespace ? namespaceText(r.namespace) : undefined, r.table, r.column].filter((x) => x !== undefined).join('.');
}

/**
 * The authorize() seam with policies behind it: catalog actions are decided by the data access policies (Ranger's
 * model), everything else by the control policies (Rego compiled to wasm). A denial names the policy that denied.
 */
export class PolicyAuthorizer implements Authorizer {
  constructor(
    private readonly db: Executor,
    private readonly dataPolicies: DataPolicyCache,
    private readonly platformRules: PlatformRules,
    private readonly decisionLog?: DecisionLog,
  ) {}

  async authorize(principal: Principal, action: string, resource: Resource, request?: Record<string, unknown>): Promise<void> {
    const access = dataAccessFor(action);
    const target = access ? catalogTarget(resource) : undefined;
    if (!access || !target) return this.platformRules.authorize(principal, action, resourceText(resource), request);
    const { decision, setVersion, subject } = await this.decideWithSet(principal, access, target);
    if (decision.audit) {
      this.decisionLog?.record({
        kind: 'data',
        principal: `${principal.kind}:${principal.name}`,
        action,
        resource: resourceText(resource),
        allowed: decision.allowed,
        policyId: decision.policyId,
        policyVersion: decision.policyVersion,
        setVersion,
        input: { subject, access, resource: target },
        result: { allowed: decision.allowed, policyId: decision.policyId ?? null, policyName: decision.policyName ?? null },
      });
    }
    if (!decision.allowed) {
      const why = decision.policyId ? `denied by policy "${decision.policyName}" (${decision.policyId})` : 'no policy allows it';
      throw new ForbiddenError(`${principal.name} may not ${access === 'any' ? 'see' : access} ${describe(target)}: ${why}`, decision.policyId);
    }
  }

  async decide(principal: Principal, access: RequestedAccess, target: DataResource): Promise<AccessDecision> {
    return (await this.decideWithSet(principal, access, target)).decision;
  }

  private async decideWithSet(
    principal: Principal,
    access: RequestedAccess,
    target: DataResource,
  ): Promise<{ decision: AccessDecision; setVersion: number; subject: Subject }> {
    const set = await this.dataPolicies.get();
    const withTags =
      set.hasTagPolicies && target.table !== undefined && target.tags === undefined ? { ...target, tags: await objectTags(this.db, target) } : target;
    const subject = subjectOf(principal);
    return { decision: set.decide(subject, access, withTags), setVersion: set.version, subject };
  }

  /** For listings: which of these catalog resources the principal may see at all. */
  async visible(principal: Principal, resources: readonly Resource[]): Promise<boolean[]> {
    const set = await this.dataPolicies.get();
    const subject = subjectOf(principal);
    return Promise.all(
      resources.map(async (r) => {
        const target = catalogTarget(r);
        if (!target) return false;
        const withTags = set.hasTagPolicies && target.table !== undefined ? { ...target, tags: await objectTags(this.db, target) } : target;
        return set.decide(subject, 'any', withTags).allowed;
      }),
    );
  }
}

/** The data access request a resource names, if it is a catalog object. */
function catalogTarget(resource: Resource): DataResource | undefined {
  return resource.kind === 'catalog' ? dataResourceOf(resource) : undefined;
}

/**
 * Catalog tags of a table or view (and of the column, when the request names one), with their attributes, for
 * tag-based policies: an EXPIRES_ON tag's expiry_date is read where the decision is made, so the decision follows the
 * catalog as it is now.
 */
export async function objectTags(db: Executor, r: DataResource): Promise<ResourceTag[]> {
  if (r.table === undefined || !r.namespace) return [];
  const row = await db
    .selectFrom('catalog_objects as o')
    .innerJoin('namespaces as n', 'n.id', 'o.namespace_id')
    .innerJoin('warehouses as w', 'w.id', 'o.warehouse_id')
    .select(['o.id', 'o.tags', 'o.tag_attributes'])
    .where('w.name', '=', r.warehouse)
    .where('n.levels', '=', textArray(r.namespace))
    .where('o.name', '=', r.table)
    .executeTakeFirst();
  if (!row) return [];
  const tags = resourceTags(row.tags, row.tag_attributes);
  if (r.column === undefined) return tags;
  const col = await db
    .selectFrom('catalog_columns as c')
    .innerJoin('catalog_column_annotations as a', (j) => j.onRef('a.object_id', '=', 'c.object_id').onRef('a.field_id', '=', 'c.field_id'))
    .select(['a.tags', 'a.tag_attributes'])
    .where('c.object_id', '=', row.id)
    .where('c.path', '=', r.column)
    .executeTakeFirst();
  return col ? [...tags, ...resourceTags(col.tags, col.tag_attributes)] : tags;
}
