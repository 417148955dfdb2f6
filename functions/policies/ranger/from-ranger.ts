import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../../../shared/errors/index.js';
import { compileValidator, StringMap } from '../../../shared/schema/index.js';
import {
  conditionProblems,
  DataPolicyInput,
  isKnownTimeZone,
  recurrenceProblemsOf,
  type PolicyCondition,
  type PolicyItem,
  type ResourceValues,
  type ValidityRecurrence,
  type ValiditySchedule,
} from '../../../shared/policy/index.js';
import { tagAccessTypes, type RangerService } from './ranger-policy.js';

/**
 * What Ranger's public v2 API accepts for a policy; fields we do not model are accepted and must be empty. Bounded as
 * our own policy document is (shared/policy: names 256, values 1,024, expressions 4,000, 500 items, 1,000 subjects).
 */
const Subject = Type.String({ maxLength: 256 });
const RangerResourceIn = Type.Object({
  values: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 }),
  isExcludes: Type.Optional(Type.Boolean()),
  isRecursive: Type.Optional(Type.Boolean()),
});
const Access = Type.Object({ type: Type.String({ maxLength: 64 }), isAllowed: Type.Optional(Type.Boolean()) });
const Expression = Type.String({ maxLength: 4000 });
const Condition = Type.Object({ type: Type.String({ maxLength: 64 }), values: Type.Optional(Type.Array(Expression, { maxItems: 100 })) });
const Conditions = Type.Optional(Type.Array(Condition, { maxItems: 50 }));
const Subjects = {
  users: Type.Optional(Type.Array(Subject, { maxItems: 1000 })),
  groups: Type.Optional(Type.Array(Subject, { maxItems: 1000 })),
  roles: Type.Optional(Type.Array(Subject, { maxItems: 1000 })),
  conditions: Conditions,
};
const Accesses = Type.Optional(Type.Array(Access, { maxItems: 50 }));
const ItemIn = Type.Object({ ...Subjects, accesses: Accesses, delegateAdmin: Type.Optional(Type.Boolean()) });
const MaskItemIn = Type.Object({
  ...Subjects,
  accesses: Accesses,
  delegateAdmin: Type.Optional(Type.Boolean()),
  dataMaskInfo: Type.Object({ dataMaskType: Type.String({ maxLength: 64 }), valueExpr: Type.Optional(Expression), conditionExpr: Type.Optional(Expression) }),
});
const RowFilterItemIn = Type.Object({
  ...Subjects,
  accesses: Accesses,
  delegateAdmin: Type.Optional(Type.Boolean()),
  rowFilterInfo: Type.Object({ filterExpr: Expression }),
});
const Items = <T extends TSchema>(item: T) => Type.Optional(Type.Array(item, { maxItems: 500 }));
const ScheduleText = Type.Optional(Type.String({ maxLength: 200 }));
const IntervalCount = Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }));
const RecurrenceIn = Type.Object({
  schedule: Type.Optional(
    Type.Object({ minute: ScheduleText, hour: ScheduleText, dayOfMonth: ScheduleText, dayOfWeek: ScheduleText, month: ScheduleText, year: ScheduleText }),
  ),
  interval: Type.Optional(Type.Object({ days: IntervalCount, hours: IntervalCount, minutes: IntervalCount })),
});

export const RangerPolicyIn = Type.Object({
  id: Type.Optional(Type.Integer()),
  guid: Type.Optional(Type.String({ maxLength: 64 })),
  service: Type.String({ minLength: 1, maxLength: 256 }),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  isEnabled: Type.Optional(Type.Boolean()),
  isAuditEnabled: Type.Optional(Type.Boolean()),
  policyType: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
  policyPriority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  resources: StringMap({ maxLength: 64 }, RangerResourceIn, { maxProperties: 16 }),
  policyItems: Items(ItemIn),
  denyPolicyItems: Items(ItemIn),
  allowExceptions: Items(ItemIn),
  denyExceptions: Items(ItemIn),
  dataMaskPolicyItems: Items(MaskItemIn),
  rowFilterPolicyItems: Items(RowFilterItemIn),
  validitySchedules: Type.Optional(
    Type.Array(
      Type.Object({
        startTime: Type.Optional(Type.String({ maxLength: 32 })),
        endTime: Type.Optional(Type.String({ maxLength: 32 })),
        timeZone: Type.Optional(Type.String({ maxLength: 64 })),
        recurrences: Type.Optional(Type.Array(RecurrenceIn, { maxItems: 50 })),
      }),
      { maxItems: 50 },
    ),
  ),
  policyLabels: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 50 })),
  conditions: Conditions,
  zoneName: Type.Optional(Type.String({ maxLength: 0 })),
  isDenyAllElse: Type.Optional(Type.Boolean()),
});
export type RangerPolicyIn = Static<typeof RangerPolicyIn>;

const LEVELS = {
  trino: { catalog: 'warehouse', schema: 'namespace', table: 'table', column: 'column' },
  hive: { database: 'namespace', table: 'table', column: 'column' },
  tag: {},
} as const;
const ACCESS_IN: Record<string, PolicyItem['accesses'][number]> = {
  select: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  create: 'create',
  alter: 'alter',
  drop: 'drop',
  index: 'index',
  read: 'read',
  write: 'write',
  all: 'all',
};
const TYPE = ['access', 'masking', 'row-filter'] as const;

/** A Ranger policy for one of our services as our policy document, or a 400 naming every field we cannot take. */
export function fromRangerPolicy(r: RangerPolicyIn, service: RangerService): DataPolicyInput {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ in: 'body', field, message });
  const levels = LEVELS[service.kind] as Record<string, 'warehouse' | 'namespace' | 'table' | 'column'>;
  // Ranger reads a policy that stops above the leaf as covering the objects at its deepest level only (a deeper
  // request is an ancestor match, which resource policies ignore): that is coversBelow false, `*` levels kept.
  const order = Object.keys(levels);
  const leaf = r.policyType === 2 ? 'table' : 'column';
  const deepest = order.reduce((d, name, i) => (r.resources[name] !== undefined ? i : d), -1);
  const stopsAbove = deepest >= 0 && deepest < order.indexOf(leaf);
  let resources: DataPolicyInput['resources'] = {};
  const url = service.kind === 'hive' ? r.resources['url'] : undefined;
  const tag = service.kind === 'tag' ? r.resources['tag'] : undefined;
  if (service.kind === 'tag') {
    // Ranger's tag service has one resource, the tag: a policy covers the objects carrying any of its tags.
    const others = Object.keys(r.resources).filter((k) => k !== 'tag');
    if (others.length > 0) bad('resources', `the tag service has one resource, tag: ${others.join(', ')} belong to another service`);
    if (!tag) bad('resources.tag', 'is required in the tag service');
    else {
      if (tag.isExcludes) bad('resources.tag.isExcludes', 'is not supported: a tag policy names the tags it covers');
      if (tag.isRecursive) bad('resources.tag.isRecursive', 'does not apply to tags');
      resources = { tags: { values: tag.values } };
    }
    if ((r.policyType ?? 0) !== 0)
      bad('policyType', 'tag-based masking and row-filter policies are not served through the tag service yet: write them through /api/v1/policies');
  } else if (url) {
    // Ranger's hive url is a hierarchy of its own: storage paths, whichever warehouse's files they hold.
    const others = Object.keys(r.resources).filter((k) => k !== 'url');
    if (others.length > 0) bad('resources', `url stands alone in Ranger's hive service: ${others.join(', ')} belong to another policy`);
    if (url.isExcludes) bad('resources.url.isExcludes', "Ranger's hive url resource does not support excludes");
    resources = { url: { values: url.values, recursive: url.isRecursive ?? false } };
  } else if (service.kind === 'hive') resources.warehouse = { values: [service.warehouse], excludes: false, recursive: false };
  for (const [name, value] of url || service.kind === 'tag' ? [] : Object.entries(r.resources)) {
    const ours = levels[name];
    if (!ours) {
      bad(`resources.${name}`, `is not a resource Lakeplane's ${service.kind} service serves: data policies have ${Object.keys(levels).join(', ')}`);
      continue;
    }
    if (value.isRecursive) bad(`resources.${name}.isRecursive`, 'is not supported here: write nested schemas as "parent.*"');
    const v: ResourceValues = { values: value.values, excludes: value.isExcludes ?? false, recursive: false };
    // `*` on a level is what leaving the level out means, as long as the levels below are covered too.
    if (stopsAbove || !(v.values.length === 1 && v.values[0] === '*' && !v.excludes)) resources[ours] = v;
  }
  if (Object.keys(resources).length === 0 && service.kind !== 'tag') resources.warehouse = { values: ['*'], excludes: false, recursive: false };
  if (stopsAbove && !url) resources.coversBelow = false;

  // A condition Lakeplane cannot evaluate is refused by its type, never ignored (that would widen an allow).
  const conditions = (list: Static<typeof Condition>[] | undefined, at: string): PolicyCondition[] | undefined => {
    if (!list || list.length === 0) return undefined;
    const taken = list.map((c) => ({ type: c.type, values: c.values ?? [] }));
    for (const p of conditionProblems(taken, service.kind === 'tag')) bad(`${at}.${p.field}`, p.message);
    return taken;
  };
  const policyConditions = conditions(r.conditions, 'conditions');
  const validity = (r.validitySchedules ?? []).map((v, n): ValiditySchedule => {
    const recurrences = (v.recurrences ?? []).map((rec, k): ValidityRecurrence => {
      const at = `validitySchedules.${n}.recurrences.${k}`;
      if (!rec.schedule) bad(`${at}.schedule`, 'is required');
      if (!rec.interval) bad(`${at}.interval`, 'is required');
      const iv = rec.interval ?? {};
      const limits = { days: [0, 3660], hours: [0, 23], minutes: [0, 59] } as const;
      for (const [unit, [lo, hi]] of Object.entries(limits) as Array<[keyof typeof limits, readonly [number, number]]>) {
        const count = iv[unit];
        if (count !== undefined && (count < lo || count > hi)) bad(`${at}.interval.${unit}`, `must be ${lo}-${hi}`);
      }
      const sch = rec.schedule ?? {};
      return {
        schedule: {
          minute: sch.minute ?? '',
          hour: sch.hour ?? '',
          ...(sch.dayOfMonth !== undefined ? { dayOfMonth: sch.dayOfMonth } : {}),
          ...(sch.dayOfWeek !== undefined ? { dayOfWeek: sch.dayOfWeek } : {}),
          month: sch.month ?? '',
          year: sch.year ?? '',
        },
        interval: {
          ...(iv.days !== undefined ? { days: iv.days } : {}),
          ...(iv.hours !== undefined ? { hours: iv.hours } : {}),
          ...(iv.minutes !== undefined ? { minutes: iv.minutes } : {}),
        },
      };
    });
    const schedule: ValiditySchedule = {
      ...(v.startTime ? { start: v.startTime } : {}),
      ...(v.endTime ? { end: v.endTime } : {}),
      timeZone: v.timeZone || 'UTC',
      ...(recurrences.length > 0 ? { recurrences } : {}),
    };
    if (isKnownTimeZone(schedule.timeZone))
      for (const p of recurrenceProblemsOf(schedule, (k) => v.recurrences![k]!.schedule !== undefined && v.recurrences![k]!.interval !== undefined))
        bad(`validitySchedules.${n}.${p.field}`, p.message);
    return schedule;
  });
  const withConditions = (i: { conditions?: Static<typeof Condition>[] | undefined }, at: string) => {
    const taken = conditions(i.conditions, `${at}.conditions`);
    return taken ? { conditions: taken } : {};
  };
  const items = (list: Static<typeof ItemIn>[] | undefined, key: string): PolicyItem[] =>
    (list ?? []).map((i, n) => {
      if (service.kind === 'tag')
        return {
          ...subjects(i),
          ...withConditions(i, `${key}.${n}`),
          accesses: tagAccesses(i.accesses ?? [], `${key}.${n}.accesses`, bad),
          delegateAdmin: i.delegateAdmin ?? false,
        };
      const accesses: PolicyItem['accesses'] = [];
      (i.accesses ?? []).forEach((a, k) => {
        const mapped = ACCESS_IN[a.type];
        if (!mapped) bad(`${key}.${n}.accesses.${k}.type`, `"${a.type}" is not an access type of data policies (${Object.keys(ACCESS_IN).join(', ')})`);
        else if (a.isAllowed !== false && !accesses.includes(mapped)) accesses.push(mapped);
      });
      return { ...subjects(i), ...withConditions(i, `${key}.${n}`), accesses, delegateAdmin: i.delegateAdmin ?? false };
    });
  const policy: DataPolicyInput = {
    name: r.name,
    description: r.description ?? '',
    type: TYPE[r.policyType ?? 0]!,
    enabled: r.isEnabled ?? true,
    auditEnabled: r.isAuditEnabled ?? true,
    priority: r.policyPriority === 1 ? 'override' : 'normal',
    resources,
    allow: items(r.policyItems, 'policyItems'),
    deny: items(r.denyPolicyItems, 'denyPolicyItems'),
    allowExceptions: items(r.allowExceptions, 'allowExceptions'),
    denyExceptions: items(r.denyExceptions, 'denyExceptions'),
    masks: (r.dataMaskPolicyItems ?? []).map((m, n) => {
      const type = m.dataMaskInfo.dataMaskType;
      const known = ['MASK', 'MASK_SHOW_LAST_4', 'MASK_SHOW_FIRST_4', 'MASK_HASH', 'MASK_NULL', 'MASK_NONE', 'MASK_DATE_SHOW_YEAR', 'CUSTOM'] as const;
      const t = known.find((k) => k === type);
      if (!t) bad(`dataMaskPolicyItems.${n}.dataMaskInfo.dataMaskType`, `"${type}" is not a mask type (${known.join(', ')})`);
      return {
        ...subjects(m),
        ...withConditions(m, `dataMaskPolicyItems.${n}`),
        type: t ?? 'MASK',
        ...(t === 'CUSTOM' && m.dataMaskInfo.valueExpr ? { expression: m.dataMaskInfo.valueExpr } : {}),
      };
    }),
    rowFilters: (r.rowFilterPolicyItems ?? []).map((f, n) => ({
      ...subjects(f),
      ...withConditions(f, `rowFilterPolicyItems.${n}`),
      filter: f.rowFilterInfo.filterExpr,
    })),
    ...(policyConditions ? { conditions: policyConditions } : {}),
    ...(r.isDenyAllElse ? { denyAllElse: true } : {}),
    validity,
    labels: [...new Set(r.policyLabels ?? [])],
  };
  if (problems.length > 0) throw new ValidationError(problems);
  // What our own API would refuse is refused here too, named in Ranger's words: a policy stored from Ranger JSON is
  // read back through GET /api/v1/policies, whose schema it must meet (a name's characters, a time's format, ...).
  try {
    return asOurPolicy.parse(policy);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.errors.map((e) => ({ ...e, field: rangerField(e.field, levels) })));
  }
}

const asOurPolicy = compileValidator(DataPolicyInput, 'body');

const COMPONENTS = ['trino', 'hive'] as const;

/**
 * A tag policy item's accesses, written per component as Ranger's tag service has them (trino:select, hive:update).
 * Lakeplane keeps one list for all engines, so the trino ones are read (they are the finer: insert and delete apart)
 * and the hive ones must be what that list means for hive, as an export writes them; an item with hive ones only is
 * read from those. Anything else is refused, naming the access, rather than guessed at.
 */
function tagAccesses(
  list: ReadonlyArray<{ type: string; isAllowed?: boolean | undefined }>,
  at: string,
  bad: (field: string, message: string) => void,
): PolicyItem['accesses'] {
  const byComponent: Record<(typeof COMPONENTS)[number], PolicyItem['accesses']> = { trino: [], hive: [] };
  list.forEach((a, k) => {
    const [component, type, extra] = a.type.split(':');
    if (extra !== undefined || type === undefined || !(COMPONENTS as readonly string[]).includes(component!)) {
      return void bad(
        `${at}.${k}.type`,
        `"${a.type}" is not an access type of Lakeplane's tag service: write <component>:<type> with component trino or hive (trino:select)`,
      );
    }
    const mapped = ACCESS_IN[type];
    if (!mapped) return void bad(`${at}.${k}.type`, `"${type}" is not an access type of data policies (${Object.keys(ACCESS_IN).join(', ')})`);
    const into = byComponent[component as (typeof COMPONENTS)[number]];
    if (a.isAllowed !== false && !into.includes(mapped)) into.push(mapped);
  });
  if (byComponent.trino.length === 0) return byComponent.hive;
  const hive = tagAccessTypes(byComponent.trino)
    .filter((t) => t.startsWith('hive:'))
    .sort();
  const given = [...new Set(list.filter((a) => a.isAllowed !== false && a.type.startsWith('hive:')).map((a) => a.type))].sort();
  if (given.length > 0 && JSON.stringify(given) !== JSON.stringify(hive)) {
    bad(
      at,
      `the hive accesses (${given.join(', ')}) differ from what the trino ones mean for hive (${hive.join(', ')}): Lakeplane keeps one list of accesses for every engine`,
    );
  }
  return byComponent.trino;
}

/** Ranger lists a subject once however often it is given; our schema keeps each once. */
function subjects(i: { users?: string[] | undefined; groups?: string[] | undefined; roles?: string[] | undefined }) {
  return { users: [...new Set(i.users ?? [])], groups: [...new Set(i.groups ?? [])], roles: [...new Set(i.roles ?? [])] };
}

/** A field of our policy document as the Ranger JSON field it came from. */
function rangerField(field: string, levels: Record<string, string>): string {
  const level = Object.fromEntries(Object.entries(levels).map(([theirs, ours]) => [ours, theirs]));
  return field
    .replace(/^resources\.(warehouse|namespace|table|column)\b/, (whole, ours: string) => (level[ours] ? `resources.${level[ours]}` : whole))
    .replace(/^allow\b/, 'policyItems')
    .replace(/^deny\b/, 'denyPolicyItems')
    .replace(/^masks\.(\d+)\.expression$/, 'dataMaskPolicyItems.$1.dataMaskInfo.valueExpr')
    .replace(/^masks\b/, 'dataMaskPolicyItems')
    .replace(/^rowFilters\.(\d+)\.filter$/, 'rowFilterPolicyItems.$1.rowFilterInfo.filterExpr')
    .replace(/^rowFilters\b/, 'rowFilterPolicyItems')
    .replace(/^validity\.(\d+)\.start$/, 'validitySchedules.$1.startTime')
    .replace(/^validity\.(\d+)\.end$/, 'validitySchedules.$1.endTime')
    .replace(/^validity\b/, 'validitySchedules')
    .replace(/^labels\b/, 'policyLabels');
}
