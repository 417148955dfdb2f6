import type { Principal } from '../auth/index.js';
import { ForbiddenError } from '../errors/index.js';
import type { Authorizer, PlatformRules } from './authorize.js';
import { dataResourceOf, resourceText, type Resource } from './resource.js';
import { dataAccessFor } from './data-access/catalog-actions.js';
import type { AccessDecision, RequestedAccess, Subject } from './data-access/evaluator.js';
import type { ObjectTagStore } from './data-access/object-tag-store.js';
import type { DataPolicyCache } from './data-access/policy-store.js';
import type { DecisionLog } from './decision-log.js';
import { namespaceText, type DataResource } from './data-access/resource-match.js';

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
    private readonly objectTags: ObjectTagStore,
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

  /**
   * authorize() for a platform action decided inside a transaction (on a row it locked): with the control bundle as
   * this process loaded it, not asking the store whether another is in force. That question takes a second
   * connection while the transaction holds one, and on PGlite, the one connection, waits forever. A catalog action
   * is refused here: its decision reads the store (the policy set, the object tags); make it before the transaction.
   */
  async authorizeInTransaction(principal: Principal, action: string, resource: Resource, request?: Record<string, unknown>): Promise<void> {
    if (dataAccessFor(action) && catalogTarget(resource)) throw new Error(`${action} is decided by the data access policies: decide it before the transaction`);
    return this.platformRules.authorizeAsLoaded(principal, action, resourceText(resource), request);
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
      set.hasTagPolicies && target.table !== undefined && target.tags === undefined ? { ...target, tags: await this.objectTags.tagsOf(target) } : target;
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
        const withTags = set.hasTagPolicies && target.table !== undefined ? { ...target, tags: await this.objectTags.tagsOf(target) } : target;
        return set.decide(subject, 'any', withTags).allowed;
      }),
    );
  }
}

/** The data access request a resource names, if it is a catalog object. */
function catalogTarget(resource: Resource): DataResource | undefined {
  return resource.kind === 'catalog' ? dataResourceOf(resource) : undefined;
}
