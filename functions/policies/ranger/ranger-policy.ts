import {
  compileValues,
  levelMatches,
  type DataPolicy,
  type PolicyItem,
  type PolicyCondition,
  type ResourceValues,
  type ValidityRecurrence,
} from '../../../shared/policy/index.js';

/**
 * Our data policies in Apache Ranger's JSON (RangerPolicy, ../shared/ref/ranger/NOTES.md), as the public v2 API
 * answers and plugins download them, for one of the services we serve:
 * - `trino`: warehouse -> catalog, namespace -> schema (levels joined by "."), table, column;
 * - `hive-<warehouse>`: that warehouse's policies, namespace -> database, table, column.
 * Levels a policy leaves out are `*` there (a policy with coversBelow false lists only its own levels). A recursive namespace value
 * `a` becomes `a` and `a.*`. Storage-path (url) policies are Ranger's hive `url` resource, in every hive service
 * and not in trino. Tag-based access policies are the `tags` service's (Ranger's tag service: resource `tag`, access
 * types prefixed by the component, trino:select and hive:select), and come with every download as its tagPolicies.
 */
export type RangerService =
  | { readonly kind: 'trino'; readonly name: string }
  | { readonly kind: 'hive'; readonly name: string; readonly warehouse: string }
  | { readonly kind: 'tag'; readonly name: string };

/** The tag service's name: one for the whole platform, as catalog tags are. */
export const TAG_SERVICE = 'tags';

export function serviceNamed(name: string): RangerService | undefined {
  if (name === 'trino') return { kind: 'trino', name };
  if (name === TAG_SERVICE) return { kind: 'tag', name };
  const hive = /^hive-(.+)$/.exec(name);
  if (hive) return { kind: 'hive', name, warehouse: hive[1]! };
  return undefined;
}

export interface StoredPolicy {
  readonly policy: DataPolicy;
  readonly rangerId: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly createdBy: string | null;
  readonly updatedBy: string | null;
}

interface RangerResource {
  values: string[];
  isExcludes: boolean;
  isRecursive: boolean;
}

const ALL: RangerResource = { values: ['*'], isExcludes: false, isRecursive: false };
const POLICY_TYPE = { access: 0, masking: 1, 'row-filter': 2 } as const;

/** The levels that are there, in order. */
function present(levels: Record<string, RangerResource | undefined>): Record<string, RangerResource> {
  return Object.fromEntries(Object.entries(levels).filter((e): e is [string, RangerResource] => e[1] !== undefined));
}

function toResource(v: ResourceValues | undefined, namespace = false): RangerResource {
  if (!v) return ALL;
  const values = namespace && v.recursive ? v.values.flatMap((x) => (x === '*' ? ['*'] : [x, `${x}.*`])) : v.values;
  return { values, isExcludes: v.excludes, isRecursive: false };
}

// Ranger's trino service has no `update` and no `index`. An update of an Iceberg table writes new data files and
// delete files, so our update is carried as insert and delete there; index has no meaning in Trino. The hive service
// has one write access, `update`, for all three.
const TRINO_ACCESS: Record<string, string[]> = {
  select: ['select'],
  insert: ['insert'],
  update: ['insert', 'delete'],
  delete: ['delete'],
  create: ['create'],
  alter: ['alter'],
  drop: ['drop'],
  index: [],
  read: [],
  write: [],
  all: ['all'],
};
const HIVE_ACCESS: Record<string, string[]> = {
  select: ['select'],
  insert: ['update'],
  update: ['update'],
  delete: ['update'],
  create: ['create'],
  alter: ['alter'],
  drop: ['drop'],
  index: ['index'],
  read: ['read'],
  write: ['write'],
  all: ['all'],
};

/**
 * A tag policy's accesses in Ranger's tag service: each component's own types, prefixed by it (Ranger's tag service
 * definition holds every component's access types so; a plugin keeps those of its component and strips the prefix).
 */
export function tagAccessTypes(accesses: readonly string[]): string[] {
  const of = (component: string, map: Record<string, string[]>) => [...new Set(accesses.flatMap((a) => map[a] ?? []))].map((t) => `${component}:${t}`);
  return [...of('trino', TRINO_ACCESS), ...of('hive', HIVE_ACCESS)];
}

function toItem(i: PolicyItem, service: RangerService) {
  const map = service.kind === 'trino' ? TRINO_ACCESS : HIVE_ACCESS;
  const types = service.kind === 'tag' ? tagAccessTypes(i.accesses) : [...new Set(i.accesses.flatMap((a) => map[a] ?? []))];
  return {
    users: i.users,
    groups: i.groups,
    roles: i.roles,
    accesses: types.map((type) => ({ type, isAllowed: true })),
    conditions: conditionsOf(i),
    delegateAdmin: i.delegateAdmin,
  };
}

// Ranger's evaluator reads each schedule field as integers between commas: no blanks may reach a plugin.
const tight = (s: string | undefined) => (s ?? '').replace(/\s+/g, '');
const toRecurrence = (r: ValidityRecurrence) => ({
  schedule: {
    minute: tight(r.schedule.minute),
    hour: tight(r.schedule.hour),
    dayOfMonth: tight(r.schedule.dayOfMonth),
    dayOfWeek: tight(r.schedule.dayOfWeek),
    month: tight(r.schedule.month),
    year: tight(r.schedule.year),
  },
  interval: { days: r.interval.days ?? 0, hours: r.interval.hours ?? 0, minutes: r.interval.minutes ?? 0 },
});

const subjects = (x: { users: string[]; groups: string[]; roles: string[] }) => ({ users: x.users, groups: x.groups, roles: x.roles });
/** Conditions as Ranger's JSON carries them; the served service definitions declare `_expression`, so plugins evaluate them too. */
const conditionsOf = (x: { conditions?: PolicyCondition[] | undefined }) => (x.conditions ?? []).map((c) => ({ type: c.type, values: c.values }));

/** The policy as Ranger's JSON for the service, or undefined when the service cannot carry it. */
export function toRangerPolicy(s: StoredPolicy, service: RangerService) {
  const p = s.policy;
  const r = p.resources;
  // Tag policies are the tag service's, and only they are; its masking and row-filter forms are not served yet.
  if ((service.kind === 'tag') !== (r.tags !== undefined)) return undefined;
  if (service.kind === 'tag' && p.type !== 'access') return undefined;
  // Storage paths are Ranger's hive url resource: every hive service carries them; Ranger's trino service has none.
  if (r.url && service.kind === 'trino') return undefined;
  let resources: Record<string, RangerResource>;
  // A policy that stops at a level (coversBelow false) lists only its levels, which Ranger reads the same way.
  const stops = r.coversBelow === false;
  const level = (v: ResourceValues | undefined, namespace = false): RangerResource | undefined => (stops && !v ? undefined : toResource(v, namespace));
  if (r.tags) {
    resources = { tag: { values: r.tags.values, isExcludes: false, isRecursive: false } };
  } else if (r.url) {
    resources = { url: { values: r.url.values, isExcludes: false, isRecursive: r.url.recursive } };
  } else if (service.kind === 'trino') {
    resources = present({ catalog: level(r.warehouse), schema: level(r.namespace, true), table: level(r.table) });
  } else if (service.kind === 'hive') {
    const wh = r.warehouse ? compileValues(r.warehouse) : undefined;
    if (wh && !levelMatches(wh, 'warehouse', service.warehouse)) return undefined;
    // The hive service is one warehouse: a policy on the warehouse object itself has nothing to name there.
    if (stops && !r.namespace) return undefined;
    resources = present({ database: level(r.namespace, true), table: level(r.table) });
  } else return undefined;
  const column = p.type !== 'row-filter' && !r.url && !r.tags ? level(r.column) : undefined;
  if (column) resources['column'] = column;
  const items = (list: PolicyItem[]) => list.map((i) => toItem(i, service)).filter((i) => i.accesses.length > 0);
  return {
    id: s.rangerId,
    guid: p.id,
    isEnabled: p.enabled,
    version: p.version,
    createTime: s.createdAt.getTime(),
    updateTime: s.updatedAt.getTime(),
    createdBy: s.createdBy ?? 'lakeplane',
    updatedBy: s.updatedBy ?? 'lakeplane',
    service: service.name,
    serviceType: service.kind,
    name: p.name,
    description: p.description,
    policyType: POLICY_TYPE[p.type],
    policyPriority: p.priority === 'override' ? 1 : 0,
    isAuditEnabled: p.auditEnabled,
    resources,
    additionalResources: [],
    conditions: conditionsOf(p),
    policyItems: items(p.allow),
    denyPolicyItems: items(p.deny),
    allowExceptions: items(p.allowExceptions),
    denyExceptions: items(p.denyExceptions),
    dataMaskPolicyItems: p.masks.map((m) => ({
      ...subjects(m),
      accesses: [{ type: 'select', isAllowed: true }],
      conditions: conditionsOf(m),
      delegateAdmin: false,
      dataMaskInfo: { dataMaskType: m.type, conditionExpr: '', valueExpr: m.expression ?? '' },
    })),
    rowFilterPolicyItems: p.rowFilters.map((f) => ({
      ...subjects(f),
      accesses: [{ type: 'select', isAllowed: true }],
      conditions: conditionsOf(f),
      delegateAdmin: false,
      rowFilterInfo: { filterExpr: f.filter },
    })),
    validitySchedules: p.validity.map((v) => ({
      startTime: v.start ?? '',
      endTime: v.end ?? '',
      timeZone: v.timeZone,
      recurrences: (v.recurrences ?? []).map(toRecurrence),
    })),
    policyLabels: p.labels,
    options: {},
    zoneName: '',
    isDenyAllElse: p.denyAllElse ?? false,
  };
}

export type RangerPolicy = NonNullable<ReturnType<typeof toRangerPolicy>>;

/**
 * Queries in Trino need two rules besides the data ones (../shared/ref/trino/NOTES.md): everyone may run queries,
 * and every user may act as themselves. They are part of the trino service's download, with ids no policy of ours
 * takes, and are not stored.
 */
export function trinoSessionPolicies(setVersion: number) {
  const base = {
    isEnabled: true,
    version: setVersion,
    service: 'trino',
    serviceType: 'trino',
    policyType: 0,
    policyPriority: 0,
    isAuditEnabled: false,
    additionalResources: [],
    conditions: [],
    denyPolicyItems: [],
    allowExceptions: [],
    denyExceptions: [],
    dataMaskPolicyItems: [],
    rowFilterPolicyItems: [],
    validitySchedules: [],
    policyLabels: ['lakeplane-session'],
    options: {},
    zoneName: '',
    isDenyAllElse: false,
    createdBy: 'lakeplane',
    updatedBy: 'lakeplane',
    createTime: 0,
    updateTime: 0,
  };
  const res = (values: string[]): RangerResource => ({ values, isExcludes: false, isRecursive: false });
  return [
    {
      ...base,
      id: 9_000_000_000_001,
      guid: '00000000-0000-4000-8000-0000000f0001',
      name: 'lakeplane: everyone may run queries',
      description: 'Served by Lakeplane: execute on every query id.',
      resources: { queryid: res(['*']) },
      policyItems: [{ users: [], groups: ['public'], roles: [], accesses: [{ type: 'execute', isAllowed: true }], conditions: [], delegateAdmin: false }],
    },
    {
      ...base,
      id: 9_000_000_000_002,
      guid: '00000000-0000-4000-8000-0000000f0002',
      name: 'lakeplane: users act as themselves',
      description: 'Served by Lakeplane: impersonate on trinouser {USER} for {USER}.',
      resources: { trinouser: res(['{USER}']) },
      policyItems: [{ users: ['{USER}'], groups: [], roles: [], accesses: [{ type: 'impersonate', isAllowed: true }], conditions: [], delegateAdmin: false }],
    },
  ];
}
