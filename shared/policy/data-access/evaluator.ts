import type { Delegation } from './delegated-admin.js';
import {
  ACCESS_TYPES,
  URL_ACCESS_TYPES,
  type AccessType,
  type DataPolicy,
  type MaskItem,
  type MaskType,
  type PolicyCondition,
  type PolicyItem,
} from './policy-schema.js';
import {
  compileResources,
  matchedTags,
  matchResources,
  matchUrl,
  namespaceText,
  type CompiledResources,
  type DataResource,
  type MatchScope,
} from './resource-match.js';
import type { ResourceTag } from './tag-attributes.js';
import type { UrlResource } from './url-match.js';
import { compileConditions, type CompiledConditions, type ConditionContext } from './policy-conditions.js';
import { compileValidity, isValidAt, type ValidityWindow } from './validity.js';

/** Who asks. Groups and roles are names; the group `public` matches everyone. */
export interface Subject {
  readonly user: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

/** `any`: may the subject see this at all (some access on it or on something inside it)? Listings ask this. */
export type RequestedAccess = Exclude<AccessType, 'all'> | 'any';

export interface AccessDecision {
  readonly allowed: boolean;
  /** The policy that decided; absent when nothing matched and the default (deny) applied. */
  readonly policyId?: string;
  readonly policyName?: string;
  readonly policyVersion?: number;
  readonly audit: boolean;
}

export interface ColumnMask {
  readonly column: string;
  readonly type: Exclude<MaskType, 'MASK_NONE'>;
  /** CUSTOM only: the expression with {col} replaced by the column name. */
  readonly expression?: string;
  /** CUSTOM only: the expression as written, {col} (and {type}) still in it, for engines that quote names. */
  readonly template?: string;
  readonly policyId: string;
}

export interface RowFilter {
  readonly filter: string;
  readonly policyId: string;
}

interface CompiledPolicy {
  readonly policy: DataPolicy;
  readonly resources: CompiledResources;
  readonly validity: readonly ValidityWindow[];
  /** Ranger's policy conditions: the policy takes part only when they hold. */
  readonly conditions: CompiledConditions;
  readonly hasConditions: boolean;
  readonly override: boolean;
  readonly hasDeny: boolean;
}

function subjectMatches(item: { users: readonly string[]; groups: readonly string[]; roles: readonly string[] }, s: Subject): boolean {
  if (item.users.includes(s.user)) return true;
  for (const g of item.groups) if (g === 'public' || s.groups.includes(g)) return true;
  for (const r of item.roles) if (s.roles.includes(r)) return true;
  return false;
}

type Item = { users: readonly string[]; groups: readonly string[]; roles: readonly string[]; conditions?: readonly PolicyCondition[] | undefined };
// A value cache, not a function's state: a policy item never changes once loaded, and its compiled conditions go with it.
const itemConditions = new WeakMap<Item, CompiledConditions>();

/** Ranger's item match: the subject is named, and every condition of the item holds for the request. */
function itemApplies(item: Item, c: ConditionContext): boolean {
  if (!subjectMatches(item, c)) return false;
  if (!item.conditions || item.conditions.length === 0) return true;
  let compiled = itemConditions.get(item);
  if (!compiled) {
    compiled = compileConditions(item.conditions);
    itemConditions.set(item, compiled);
  }
  return compiled(c);
}

function grants(item: PolicyItem, access: ConcreteAccess): boolean {
  return item.accesses.includes('all') || item.accesses.includes(access);
}

function anyItem(items: readonly PolicyItem[], c: ConditionContext, access: ConcreteAccess): boolean {
  return items.some((i) => grants(i, access) && itemApplies(i, c));
}

/** The request as conditions see it. */
const askedBy = (subject: Subject, accessTime: number): ConditionContext => ({ user: subject.user, groups: subject.groups, roles: subject.roles, accessTime });

/** Override before normal; within a priority, policies with deny items first, then by name (Ranger's order). */
function byEvaluationOrder(a: CompiledPolicy, b: CompiledPolicy): number {
  if (a.override !== b.override) return a.override ? -1 : 1;
  if (a.hasDeny !== b.hasDeny) return a.hasDeny ? -1 : 1;
  return a.policy.name < b.policy.name ? -1 : a.policy.name > b.policy.name ? 1 : 0;
}

interface MatchedPolicy {
  readonly p: CompiledPolicy;
  readonly scope: MatchScope;
  /** A tag-based policy: the tag it matched, whose attributes its conditions read. */
  readonly tag?: ResourceTag | undefined;
}

/** The request as one match's conditions see it: with the matched tag, for a tag-based policy. */
const withTag = (asker: ConditionContext, tag: ResourceTag | undefined): ConditionContext => (tag ? { ...asker, tag } : asker);

/**
 * The contexts a policy's conditions and items are read in for a resource: one per tag a tag-based policy matched
 * (Ranger evaluates a tag policy once per matching tag), else the request itself; none when it does not match.
 */
function contextsOf(p: CompiledPolicy, resource: DataResource, asker: ConditionContext): ConditionContext[] {
  if (p.resources.tags) return matchedTags(p.resources, resource).map((t) => withTag(asker, t));
  return matchResources(p.resources, resource) === 'self' ? [asker] : [];
}

type AccessOutcome = Omit<AccessDecision, 'audit'>;
type ConcreteAccess = Exclude<RequestedAccess, 'any'>;
const URL_TYPES: readonly ConcreteAccess[] = URL_ACCESS_TYPES;
/** What `any` asks about: the catalog's access types for catalog objects, read and write for storage paths. */
const CATALOG_ACCESS_TYPES = ACCESS_TYPES.filter((a): a is ConcreteAccess => a !== 'all' && !URL_TYPES.includes(a as ConcreteAccess));

const outcomeOf = (pol: DataPolicy, allowed: boolean): AccessOutcome => ({ allowed, policyId: pol.id, policyName: pol.name, policyVersion: pol.version });

/**
 * Ranger's procedure for one access type over the matched policies: override priority first; within a priority a
 * deny (not carved out by a deny exception) is final, else an allow (not carved out by an allow exception) decides
 * once no policy of that priority denies. A deny-all-else policy denies whatever none of its items decided. A policy
 * covering only something inside the object lets the subject see the object, never lose it: its denies do not count.
 */
function decideOne(matched: readonly MatchedPolicy[], subject: ConditionContext, access: ConcreteAccess): AccessOutcome {
  let allowedBy: DataPolicy | undefined;
  let priorityOverride: boolean | undefined;
  for (const { p, scope, tag } of matched) {
    const c = withTag(subject, tag);
    if (priorityOverride !== p.override) {
      // Crossing into a lower priority: an allow found above is final.
      if (allowedBy) break;
      priorityOverride = p.override;
    }
    const pol = p.policy;
    const denied = anyItem(pol.deny, c, access) && !anyItem(pol.denyExceptions, c, access);
    const allowed = !denied && anyItem(pol.allow, c, access) && !anyItem(pol.allowExceptions, c, access);
    if (scope === 'self' && (denied || (!allowed && pol.denyAllElse === true))) return outcomeOf(pol, false);
    if (!allowedBy && allowed) allowedBy = pol;
  }
  return allowedBy ? outcomeOf(allowedBy, true) : { allowed: false };
}

const lower = (s: string) => s.toLowerCase();

/**
 * The index that keeps a decision from scanning every policy: each resource policy is filed under the most specific
 * level it names by literal values only (table, then namespace, then warehouse); the rest are always candidates.
 */
class PolicyIndex {
  private readonly always: CompiledPolicy[] = [];
  private readonly tagged: CompiledPolicy[] = [];
  private readonly byTable = new Map<string, CompiledPolicy[]>();
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly byNamespaceTree = new Map<string, CompiledPolicy[]>();
  private readonly byWarehouse = new Map<string, CompiledPolicy[]>();

  constructor(private readonly all: readonly CompiledPolicy[]) {
    for (const p of all) this.file(p);
  }

  private static put(map: Map<string, CompiledPolicy[]>, key: string, p: CompiledPolicy): void {
    const list = map.get(key);
    if (list) list.push(p);
    else map.set(key, [p]);
  }

  private file(p: CompiledPolicy): void {
    const r = p.resources;
    if (r.tags) return void this.tagged.push(p);
    const literalOnly = (v: typeof r.table) => v && !v.excludes && v.patterns.length === 0 && v.literals.size > 0;
    if (literalOnly(r.table)) for (const t of r.table!.literals) PolicyIndex.put(this.byTable, t, p);
    else if (literalOnly(r.namespace))
      for (const n of r.namespace!.literals) PolicyIndex.put(r.namespace!.recursive ? this.byNamespaceTree : this.byNamespace, n, p);
    else if (literalOnly(r.warehouse)) for (const w of r.warehouse!.literals) PolicyIndex.put(this.byWarehouse, w, p);
    else this.always.push(p);
  }

  /** Every policy that might cover the request or something below it; the caller still matches each one. */
  candidates(req: DataResource): readonly CompiledPolicy[] {
    // A container's request (no table) may be covered from below by table-level policies: look at all of them.
    if (req.table === undefined) return this.all;
    const out: CompiledPolicy[] = [...this.always];
    if (req.tags && req.tags.length > 0) out.push(...this.tagged);
    const add = (list: CompiledPolicy[] | undefined) => {
      if (list) out.push(...list);
    };
    add(this.byWarehouse.get(lower(req.warehouse)));
    if (req.namespace) {
      add(this.byNamespace.get(lower(namespaceText(req.namespace))));
      for (let i = req.namespace.length; i >= 1; i--) add(this.byNamespaceTree.get(lower(namespaceText(req.namespace.slice(0, i)))));
    }
    add(this.byTable.get(lower(req.table)));
    return out;
  }
}

/**
 * A loaded set of data access policies and Ranger's decision procedure over it (../shared/ref/ranger/NOTES.md):
 * only enabled policies inside their validity take part; override priority first; within a priority a deny (not
 * carved out by a deny exception) is final, else an allow (not carved out by an allow exception) decides once no
 * policy of that priority denies; an override allow stands over a normal deny; nothing matched: deny.
 */
export class DataPolicySet {
  private readonly access: PolicyIndex;
  private readonly accessPolicies: readonly CompiledPolicy[];
  private readonly urlPolicies: readonly CompiledPolicy[];
  private readonly masking: readonly CompiledPolicy[];
  private readonly rowFiltering: readonly CompiledPolicy[];
  readonly size: number;
  /** Whether any enabled policy is tag-based: only then must a decision look up the object's tags. */
  readonly hasTagPolicies: boolean;
  /**
   * Whether no enabled policy has a validity schedule or a condition (its own or an item's): then a decision depends
   * on the subject, the access and the resource alone, and a caller may keep it for as long as it holds this set.
   */
  readonly timeInvariant: boolean;

  constructor(
    policies: readonly DataPolicy[],
    readonly version: number,
  ) {
    const compiled = policies
      .filter((p) => p.enabled)
      .map((policy): CompiledPolicy => ({
        policy,
        resources: compileResources(policy.resources),
        validity: compileValidity(policy.validity),
        conditions: compileConditions(policy.conditions),
        hasConditions: (policy.conditions ?? []).length > 0,
        override: policy.priority === 'override',
        hasDeny: policy.deny.length > 0 || policy.denyAllElse === true,
      }))
      .sort(byEvaluationOrder);
    this.accessPolicies = compiled.filter((p) => p.policy.type === 'access');
    this.access = new PolicyIndex(this.accessPolicies.filter((p) => !p.resources.url));
    this.urlPolicies = this.accessPolicies.filter((p) => p.resources.url);
    this.masking = compiled.filter((p) => p.policy.type === 'masking');
    this.rowFiltering = compiled.filter((p) => p.policy.type === 'row-filter');
    this.size = policies.length;
    this.hasTagPolicies = compiled.some((p) => p.resources.tags !== undefined);
    const conditional = (items: ReadonlyArray<{ conditions?: readonly unknown[] | undefined }> | undefined) =>
      (items ?? []).some((i) => (i.conditions ?? []).length > 0);
    this.timeInvariant = compiled.every(
      ({ policy: p, validity, hasConditions }) =>
        validity.length === 0 && !hasConditions && ![p.allow, p.deny, p.allowExceptions, p.denyExceptions, p.masks, p.rowFilters].some(conditional),
    );
  }

  /**
   * What the subject may administer (Ranger's delegateAdmin): each allow item that names it with delegateAdmin, in a
   * resource-based access policy in force now, with that policy's resources and the item's accesses.
   */
  delegationsOf(subject: Subject, now = Date.now()): Delegation[] {
    const out: Delegation[] = [];
    for (const p of this.accessPolicies) {
      // Conditions are about a data request; a delegation has none to test them on, so conditional grants delegate nothing.
      // Tag and storage-path policies reach beyond the catalog's hierarchy: their delegateAdmin hands out nothing.
      if (p.resources.tags || p.resources.url || p.hasConditions || !isValidAt(p.validity, now)) continue;
      for (const item of p.policy.allow) {
        if (item.delegateAdmin && (item.conditions ?? []).length === 0 && subjectMatches(item, subject))
          out.push({ policyId: p.policy.id, policyName: p.policy.name, resources: p.policy.resources, accesses: item.accesses });
      }
    }
    return out;
  }

  /**
   * One decision. A concrete access is decided by the policies that cover the object itself. `any` is Ranger's
   * `_any`: every access type is decided on its own (policies that cover only something inside the object count) and
   * the object may be seen when one of them is allowed; it is denied by a policy only when every type is denied.
   * Audit follows Ranger: the answer is audited when some audit-enabled policy covered the request, whoever decided.
   * A storage path (url) is decided by the url policies alone; its `any` asks about read and write.
   */
  decide(subject: Subject, access: RequestedAccess, resource: DataResource | UrlResource, now = Date.now()): AccessDecision {
    const asker = askedBy(subject, now);
    const matched = this.matching(resource, access === 'any', asker);
    const audit = matched.some(({ p }) => p.policy.auditEnabled);
    if (access !== 'any') return { ...decideOne(matched, asker, access), audit };
    let firstDenial: AccessOutcome | undefined;
    let everyTypeDenied = true;
    for (const type of 'url' in resource ? URL_TYPES : CATALOG_ACCESS_TYPES) {
      const outcome = decideOne(matched, asker, type);
      if (outcome.allowed) return { ...outcome, audit };
      if (outcome.policyId === undefined) everyTypeDenied = false;
      else firstDenial ??= outcome;
    }
    return everyTypeDenied && firstDenial ? { ...firstDenial, audit } : { allowed: false, audit };
  }

  /** The access policies covering the request, in evaluation order; `descendants`: those covering only things inside it count too. */
  private matching(resource: DataResource | UrlResource, descendants: boolean, asker: ConditionContext): MatchedPolicy[] {
    const matched: MatchedPolicy[] = [];
    const isUrl = 'url' in resource;
    for (const p of isUrl ? this.urlPolicies : this.access.candidates(resource)) {
      if (!isValidAt(p.validity, asker.accessTime)) continue;
      if (!isUrl && p.resources.tags) {
        // One match per matching tag: each is decided with its own attributes (an expiry date each).
        for (const tag of matchedTags(p.resources, resource)) if (p.conditions(withTag(asker, tag))) matched.push({ p, scope: 'self', tag });
        continue;
      }
      const scope = isUrl ? matchUrl(p.resources, resource) : matchResources(p.resources, resource);
      if (scope === 'none' || (scope === 'descendant' && !descendants)) continue;
      if (!p.conditions(asker)) continue;
      matched.push({ p, scope });
    }
    // Candidates come from several buckets; evaluation order is the set's order, so sort what matched.
    return matched.sort((a, b) => byEvaluationOrder(a.p, b.p));
  }

  /** The mask on one column for this subject, if any: the first matching item of the first policy in order decides. */
  maskFor(subject: Subject, resource: DataResource & { column: string }, now = Date.now()): ColumnMask | undefined {
    const asker = askedBy(subject, now);
    for (const p of this.masking) {
      if (!isValidAt(p.validity, now)) continue;
      let item: MaskItem | undefined;
      for (const c of contextsOf(p, resource, asker)) if (!item && p.conditions(c)) item = p.policy.masks.find((m) => itemApplies(m, c));
      if (!item) continue;
      if (item.type === 'MASK_NONE') return undefined;
      return {
        column: resource.column,
        type: item.type,
        ...(item.type === 'CUSTOM' && item.expression ? { expression: item.expression.replaceAll('{col}', resource.column), template: item.expression } : {}),
        policyId: p.policy.id,
      };
    }
    return undefined;
  }

  /** The row filter on a table for this subject, if any: the first matching item of the first policy in order. */
  rowFilterFor(subject: Subject, resource: DataResource & { table: string }, now = Date.now()): RowFilter | undefined {
    const { column: _column, ...tableLevel } = resource;
    const asker = askedBy(subject, now);
    for (const p of this.rowFiltering) {
      if (!isValidAt(p.validity, now)) continue;
      for (const c of contextsOf(p, tableLevel, asker)) {
        const item = p.conditions(c) ? p.policy.rowFilters.find((f) => itemApplies(f, c)) : undefined;
        if (item) return { filter: item.filter, policyId: p.policy.id };
      }
    }
    return undefined;
  }

  /**
   * Columns some masking policy names literally on this table: what a table read reports masks for when the caller
   * did not list the columns.
   */
  maskedColumnNames(resource: DataResource & { table: string }, now = Date.now()): string[] {
    const names = new Set<string>();
    for (const p of this.masking) {
      if (!isValidAt(p.validity, now)) continue;
      const col = p.policy.resources.column;
      if (!col || col.excludes) continue;
      for (const v of col.values) {
        if (/[*?]/.test(v)) continue;
        if (matchResources(p.resources, { ...resource, column: v }) === 'self') names.add(v);
      }
    }
    return [...names].sort();
  }
}
