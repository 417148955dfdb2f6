import { ForbiddenError } from '../../../shared/errors/index.js';
import type { RequestContext } from '../../../shared/http/index.js';
import { delegationFor, subjectOf, type DataPolicyInput, type Delegation } from '../../../shared/policy/index.js';

type Verb = 'list' | 'create' | 'read' | 'update' | 'delete';

/** Who manages a policy, once the control policies let the caller in: everything for admins, or what is delegated. */
export interface PolicyAdmin {
  /** Throws 403 unless the caller may manage this policy (for a change: as it is now, and as it will be). */
  mayManage(policy: DataPolicyInput): void;
  /** Whether the caller may see this policy (listings keep only those). */
  canSee(policy: DataPolicyInput): boolean;
}

const EVERYTHING: PolicyAdmin = { mayManage: () => undefined, canSee: () => true };

/**
 * Ranger's delegated administration: a user, group or role named with delegateAdmin in an allow item may manage the
 * policies within that policy's resources, granting at most the item's accesses. The control policies decide who
 * may act on policies (action policies:policy:<verb>); they are told whether the data access policies make the caller
 * a delegated admin of what it names (request.delegatedAdmin), so the Rego can allow or forbid delegation. Platform
 * admins are not asked about delegation. The delegations are read before any transaction opens, so checks made
 * under a row lock (the policy as it is now) are pure.
 */
export async function policyAdmin(ctx: RequestContext<unknown, unknown, unknown>, verb: Verb, resource: string, policies: readonly DataPolicyInput[] = []): Promise<PolicyAdmin> {
  const principal = ctx.requirePrincipal();
  if (principal.isAdmin) {
    await ctx.platform.authorizer.authorize(principal, `policies:policy:${verb}`, resource);
    return EVERYTHING;
  }
  const delegations = (await ctx.platform.dataPolicies.get()).delegationsOf(subjectOf(principal));
  const covering = policies.map((p) => delegationFor(delegations, p));
  // A listing asks whether the caller administers anything at all; anything else, whether every policy named is theirs.
  const delegatedAdmin = verb === 'list' ? delegations.length > 0 : covering.length > 0 && covering.every((d) => d !== undefined);
  try {
    await ctx.platform.authorizer.authorize(principal, `policies:policy:${verb}`, resource, delegatedAdmin ? { delegatedAdmin: true, delegations: uniqueIds(covering) } : {});
  } catch (err) {
    if (err instanceof ForbiddenError && !delegatedAdmin) throw new ForbiddenError(`${err.message}: ${whyNotDelegated(delegations)}`, err.policyId);
    throw err;
  }
  return {
    mayManage(policy) {
      if (!delegationFor(delegations, policy)) throw new ForbiddenError(`${principal.name} may not manage policy "${policy.name}": ${whyNotDelegated(delegations)}`);
    },
    canSee: (policy) => delegationFor(delegations, policy) !== undefined,
  };
}

function uniqueIds(ds: ReadonlyArray<Delegation | undefined>): string[] {
  return [...new Set(ds.filter((d): d is Delegation => d !== undefined).map((d) => d.policyId))];
}

function whyNotDelegated(delegations: readonly Delegation[]): string {
  if (delegations.length === 0) return 'only admins and delegated admins (delegateAdmin in an allow item) manage policies';
  return `its resources or accesses go beyond what you were delegated (${delegations.map((d) => `"${d.policyName}"`).join(', ')})`;
}
