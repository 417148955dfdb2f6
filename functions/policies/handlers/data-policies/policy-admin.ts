import type { Principal } from '../../../../shared/auth/index.js';
import type { DataPolicyHistoryRow } from '../../../../shared/db/index.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import type { Check, OperationInput } from '../../../../shared/http/index.js';
import { delegationFor, platformObject, subjectOf, type DataPolicyInput, type Delegation, type Resource } from '../../../../shared/policy/index.js';
import { dataPolicyStore } from '../../store/data-policy-store.js';
import { requirePolicy } from './policy-changes.js';

type Verb = 'list' | 'create' | 'read' | 'update' | 'delete';
type Input<P = unknown, B = unknown> = OperationInput<P, unknown, B>;

/**
 * Ranger's delegated administration: a user, group or role named with delegateAdmin in an allow item may manage the
 * policies within that policy's resources, granting at most the item's accesses. The control policies decide who
 * may act on policies (action policies:policy:<verb>); they are told whether the data access policies make the caller
 * a delegated admin of what it names (request.delegatedAdmin), so the Rego can allow or forbid delegation. Platform
 * admins are not asked about delegation.
 */
async function policyCheck(
  services: FunctionServices,
  principal: Principal,
  verb: Verb,
  resource: Resource,
  policies: readonly DataPolicyInput[],
): Promise<Check> {
  const action = `policies:policy:${verb}` as const;
  if (principal.isAdmin) return { action, resource };
  const delegations = await delegationsOf(services, principal);
  const covering = policies.map((p) => delegationFor(delegations, p));
  // A listing asks whether the caller administers anything at all; anything else, whether every policy named is theirs.
  const delegatedAdmin = verb === 'list' ? delegations.length > 0 : covering.length > 0 && covering.every((d) => d !== undefined);
  if (delegatedAdmin) return { action, resource, request: { delegatedAdmin: true, delegations: uniqueIds(covering) } };
  return { action, resource, request: {}, refusal: whyNotDelegated(delegations) };
}

function callerOf(input: { principal: Principal | undefined }): Principal {
  if (!input.principal) throw new UnauthenticatedError('this route requires a bearer token', undefined);
  return input.principal;
}

const policies = platformObject('policies');
const policy = (id: string) => platformObject('policies', id);

/** Listing policies: the caller administers some (a delegated admin sees those only, see PolicyAdmin.canSee). */
export const listChecks = async (input: Input, services: FunctionServices) => [await policyCheck(services, callerOf(input), 'list', policies, [])];

/** Creating one: the policy as it will be must be the caller's to manage. */
export const createChecks = async (input: Input<unknown, DataPolicyInput>, services: FunctionServices) => [
  await policyCheck(services, callerOf(input), 'create', policies, [input.body]),
];

/** Reading one: the policy as it is (404 first when there is none). */
export const readChecks = async (input: Input<{ id: string }>, services: FunctionServices) => {
  const current = await requirePolicy(services.store.db, input.params.id);
  return [await policyCheck(services, callerOf(input), 'read', policy(input.params.id), [current.document as unknown as DataPolicyInput])];
};

/** Replacing one: the policy as it is and as it will be (checked again under its row lock by the handler). */
export const replaceChecks = async (input: Input<{ id: string }, DataPolicyInput>, services: FunctionServices) => {
  const current = await requirePolicy(services.store.db, input.params.id);
  return [await policyCheck(services, callerOf(input), 'update', policy(input.params.id), [current.document as unknown as DataPolicyInput, input.body])];
};

/** Deleting one: the policy as it is (checked again under its row lock by the handler). */
export const deleteChecks = async (input: Input<{ id: string }>, services: FunctionServices) => {
  const current = await requirePolicy(services.store.db, input.params.id);
  return [await policyCheck(services, callerOf(input), 'delete', policy(input.params.id), [current.document as unknown as DataPolicyInput])];
};

/** A policy's history is read by whoever manages the policy as it last stood (404 when it never existed). */
export const historyChecks = async (input: Input<{ id: string }>, services: FunctionServices) => {
  const history = await requireHistory(services.store.db, input.params.id);
  return [
    await policyCheck(
      services,
      callerOf(input),
      'read',
      policy(input.params.id),
      history.slice(0, 1).map((h) => h.document as unknown as DataPolicyInput),
    ),
  ];
};

export async function requireHistory(db: Parameters<typeof dataPolicyStore>[0], id: string): Promise<DataPolicyHistoryRow[]> {
  const rows = await dataPolicyStore(db).history(id);
  if (rows.length === 0) throw new NotFoundError(`data policy ${id} has no history: it never existed`);
  return rows;
}

/** Who manages a policy, once the control policies let the caller in: everything for admins, or what is delegated. */
export interface PolicyAdmin {
  /** Throws 403 unless the caller may manage this policy (for a change: as it is now, and as it will be). */
  mayManage(policy: DataPolicyInput): void;
  /** Whether the caller may see this policy (listings keep only those). */
  canSee(policy: DataPolicyInput): boolean;
}

const EVERYTHING: PolicyAdmin = { mayManage: () => undefined, canSee: () => true };

/**
 * What the caller manages, for the handler: a listing keeps what it may see, a change checks the policy as it is under
 * its row lock. The delegations are read before any transaction opens, so those checks are pure.
 */
export async function policyAdmin(services: FunctionServices, principal: Principal): Promise<PolicyAdmin> {
  if (principal.isAdmin) return EVERYTHING;
  const delegations = await delegationsOf(services, principal);
  return {
    mayManage(policy) {
      if (!delegationFor(delegations, policy))
        throw new ForbiddenError(`${principal.name} may not manage policy "${policy.name}": ${whyNotDelegated(delegations)}`);
    },
    canSee: (policy) => delegationFor(delegations, policy) !== undefined,
  };
}

async function delegationsOf(services: FunctionServices, principal: Principal): Promise<readonly Delegation[]> {
  return (await services.dataPolicies.get()).delegationsOf(subjectOf(principal));
}

function uniqueIds(ds: ReadonlyArray<Delegation | undefined>): string[] {
  return [...new Set(ds.filter((d): d is Delegation => d !== undefined).map((d) => d.policyId))];
}

function whyNotDelegated(delegations: readonly Delegation[]): string {
  if (delegations.length === 0) return 'only admins and delegated admins (delegateAdmin in an allow item) manage policies';
  return `its resources or accesses go beyond what you were delegated (${delegations.map((d) => `"${d.policyName}"`).join(', ')})`;
}
