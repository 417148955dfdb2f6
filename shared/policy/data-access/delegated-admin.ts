import type { AccessType, DataPolicyInput, PolicyResources, ResourceValues } from './policy-schema.js';
import { LEVELS, compileValues, levelMatches, type Level } from './resource-match.js';

/** An allow item with delegateAdmin: its subjects may manage policies within these resources, granting these accesses. */
export interface Delegation {
  readonly policyId: string;
  readonly policyName: string;
  readonly resources: PolicyResources;
  readonly accesses: readonly AccessType[];
}

/**
 * The accesses a policy hands out or takes away: those of its items; a masking or row-filter policy shapes reads, so
 * it needs select.
 */
export function accessesOf(policy: DataPolicyInput): Set<AccessType> {
  if (policy.type !== 'access') return new Set(['select']);
  const out = new Set<AccessType>();
  for (const items of [policy.allow, policy.deny, policy.allowExceptions, policy.denyExceptions]) for (const i of items) for (const a of i.accesses) out.add(a);
  return out;
}

const matchesEverything = (v: ResourceValues) => !v.excludes && v.values.includes('*');

/**
 * Whether a delegation's values at one level take in everything a policy's values there can match. A target value is
 * compared as written, wildcards included (as Ranger compares them): `orders*` lies within `*` and `ord*`, `*` only
 * within `*`. What a level left out, or an exclude list, can match is open-ended: only `*` holds it.
 */
function levelCovers(mine: ResourceValues | undefined, theirs: ResourceValues | undefined, level: Level): boolean {
  if (!mine) return true;
  if (!theirs || theirs.excludes) return matchesEverything(mine);
  if (matchesEverything(mine)) return true;
  const compiled = compileValues(mine)!;
  if (theirs.recursive && !mine.recursive) return false;
  return theirs.values.every((value) => {
    if (mine.excludes && /[*?]/.test(value)) return false;
    return levelMatches(compiled, level, value, level === 'namespace' ? value.split('.') : undefined);
  });
}

export function delegationCovers(d: Delegation, policy: DataPolicyInput): boolean {
  if (policy.resources.tags || policy.resources.url) return false; // tag and storage-path policies reach past the catalog's levels: platform admins only
  if (!LEVELS.every((level) => levelCovers(d.resources[level], policy.resources[level], level))) return false;
  if (d.accesses.includes('all')) return true;
  return [...accessesOf(policy)].every((a) => a !== 'all' && d.accesses.includes(a));
}

/** The delegation that lets its holder manage this policy, if one does. */
export function delegationFor(delegations: readonly Delegation[], policy: DataPolicyInput): Delegation | undefined {
  return delegations.find((d) => delegationCovers(d, policy));
}
