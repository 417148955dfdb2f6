import { Type, type Static } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../../../shared/errors/index.js';
import { isKnownTimeZone, recurrenceProblemsOf, type DataPolicyInput, type PolicyItem, type ResourceValues, type ValidityRecurrence, type ValiditySchedule } from '../../../shared/policy/index.js';
import type { RangerService } from './ranger-policy.js';

/** What Ranger's public v2 API accepts for a policy; fields we do not model are accepted and must be empty. */
const RangerResourceIn = Type.Object({ values: Type.Array(Type.String()), isExcludes: Type.Optional(Type.Boolean()), isRecursive: Type.Optional(Type.Boolean()) });
const Access = Type.Object({ type: Type.String(), isAllowed: Type.Optional(Type.Boolean()) });
const Condition = Type.Object({ type: Type.String(), values: Type.Optional(Type.Array(Type.String())) });
const Subjects = { users: Type.Optional(Type.Array(Type.String())), groups: Type.Optional(Type.Array(Type.String())), roles: Type.Optional(Type.Array(Type.String())), conditions: Type.Optional(Type.Array(Condition)) };
const ItemIn = Type.Object({ ...Subjects, accesses: Type.Optional(Type.Array(Access)), delegateAdmin: Type.Optional(Type.Boolean()) });
const MaskItemIn = Type.Object({ ...Subjects, accesses: Type.Optional(Type.Array(Access)), delegateAdmin: Type.Optional(Type.Boolean()), dataMaskInfo: Type.Object({ dataMaskType: Type.String(), valueExpr: Type.Optional(Type.String()), conditionExpr: Type.Optional(Type.String()) }) });
const ScheduleText = Type.Optional(Type.String({ maxLength: 200 }));
const IntervalCount = Type.Optional(Type.Integer());
const RecurrenceIn = Type.Object({
  schedule: Type.Optional(Type.Object({ minute: ScheduleText, hour: ScheduleText, dayOfMonth: ScheduleText, dayOfWeek: ScheduleText, month: ScheduleText, year: ScheduleText })),
  interval: Type.Optional(Type.Object({ days: IntervalCount, hours: IntervalCount, minutes: IntervalCount })),
});
const RowFilterItemIn = Type.Object({ ...Subjects, accesses: Type.Optional(Type.Array(Access)), delegateAdmin: Type.Optional(Type.Boolean()), rowFilterInfo: Type.Object({ filterExpr: Type.String() }) });

export const RangerPolicyIn = Type.Object({
  id: Type.Optional(Type.Integer()),
  guid: Type.Optional(Type.String()),
  service: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  isEnabled: Type.Optional(Type.Boolean()),
  isAuditEnabled: Type.Optional(Type.Boolean()),
  policyType: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
  policyPriority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  resources: Type.Record(Type.String(), RangerResourceIn),
  policyItems: Type.Optional(Type.Array(ItemIn)),
  denyPolicyItems: Type.Optional(Type.Array(ItemIn)),
  allowExceptions: Type.Optional(Type.Array(ItemIn)),
  denyExceptions: Type.Optional(Type.Array(ItemIn)),
  dataMaskPolicyItems: Type.Optional(Type.Array(MaskItemIn)),
  rowFilterPolicyItems: Type.Optional(Type.Array(RowFilterItemIn)),
  validitySchedules: Type.Optional(Type.Array(Type.Object({ startTime: Type.Optional(Type.String()), endTime: Type.Optional(Type.String()), timeZone: Type.Optional(Type.String()), recurrences: Type.Optional(Type.Array(RecurrenceIn)) }))),
  policyLabels: Type.Optional(Type.Array(Type.String())),
  conditions: Type.Optional(Type.Array(Condition)),
  zoneName: Type.Optional(Type.String({ maxLength: 0 })),
  isDenyAllElse: Type.Optional(Type.Boolean()),
});
export type RangerPolicyIn = Static<typeof RangerPolicyIn>;

const LEVELS = { trino: { catalog: 'warehouse', schema: 'namespace', table: 'table', column: 'column' }, hive: { database: 'namespace', table: 'table', column: 'column' } } as const;
const ACCESS_IN: Record<string, PolicyItem['accesses'][number]> = { select: 'select', insert: 'insert', update: 'update', delete: 'delete', create: 'create', alter: 'alter', drop: 'drop', index: 'index', all: 'all' };
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
  const resources: DataPolicyInput['resources'] = {};
  if (service.kind === 'hive') resources.warehouse = { values: [service.warehouse], excludes: false, recursive: false };
  for (const [name, value] of Object.entries(r.resources)) {
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
  if (Object.keys(resources).length === 0) resources.warehouse = { values: ['*'], excludes: false, recursive: false };
  if (stopsAbove) resources.coversBelow = false;

  // No condition evaluator is built yet: a condition is refused by its type, never ignored (that would widen access).
  const conditions = (list: Static<typeof Condition>[] | undefined, at: string) =>
    (list ?? []).forEach((c, k) => bad(`${at}.${k}.type`, `condition "${c.type}" is not supported: Lakeplane evaluates no policy conditions yet`));
  conditions(r.conditions, 'conditions');
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
        schedule: { minute: sch.minute ?? '', hour: sch.hour ?? '', ...(sch.dayOfMonth !== undefined ? { dayOfMonth: sch.dayOfMonth } : {}), ...(sch.dayOfWeek !== undefined ? { dayOfWeek: sch.dayOfWeek } : {}), month: sch.month ?? '', year: sch.year ?? '' },
        interval: { ...(iv.days !== undefined ? { days: iv.days } : {}), ...(iv.hours !== undefined ? { hours: iv.hours } : {}), ...(iv.minutes !== undefined ? { minutes: iv.minutes } : {}) },
      };
    });
    const schedule: ValiditySchedule = { ...(v.startTime ? { start: v.startTime } : {}), ...(v.endTime ? { end: v.endTime } : {}), timeZone: v.timeZone || 'UTC', ...(recurrences.length > 0 ? { recurrences } : {}) };
    if (isKnownTimeZone(schedule.timeZone)) for (const p of recurrenceProblemsOf(schedule, (k) => v.recurrences![k]!.schedule !== undefined && v.recurrences![k]!.interval !== undefined)) bad(`validitySchedules.${n}.${p.field}`, p.message);
    return schedule;
  });
  const itemLists = { policyItems: r.policyItems, denyPolicyItems: r.denyPolicyItems, allowExceptions: r.allowExceptions, denyExceptions: r.denyExceptions, dataMaskPolicyItems: r.dataMaskPolicyItems, rowFilterPolicyItems: r.rowFilterPolicyItems };
  for (const [key, list] of Object.entries(itemLists)) (list ?? []).forEach((i, n) => conditions(i.conditions, `${key}.${n}.conditions`));
  const items = (list: Static<typeof ItemIn>[] | undefined, key: string): PolicyItem[] =>
    (list ?? []).map((i, n) => {
      const accesses: PolicyItem['accesses'] = [];
      (i.accesses ?? []).forEach((a, k) => {
        const mapped = ACCESS_IN[a.type];
        if (!mapped) bad(`${key}.${n}.accesses.${k}.type`, `"${a.type}" is not an access type of data policies (${Object.keys(ACCESS_IN).join(', ')})`);
        else if (a.isAllowed !== false && !accesses.includes(mapped)) accesses.push(mapped);
      });
      return { users: i.users ?? [], groups: i.groups ?? [], roles: i.roles ?? [], accesses, delegateAdmin: i.delegateAdmin ?? false };
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
      return { users: m.users ?? [], groups: m.groups ?? [], roles: m.roles ?? [], type: t ?? 'MASK', ...(t === 'CUSTOM' && m.dataMaskInfo.valueExpr ? { expression: m.dataMaskInfo.valueExpr } : {}) };
    }),
    rowFilters: (r.rowFilterPolicyItems ?? []).map((f) => ({ users: f.users ?? [], groups: f.groups ?? [], roles: f.roles ?? [], filter: f.rowFilterInfo.filterExpr })),
    ...(r.isDenyAllElse ? { denyAllElse: true } : {}),
    validity,
    labels: [...new Set(r.policyLabels ?? [])],
  };
  if (problems.length > 0) throw new ValidationError(problems);
  return policy;
}
