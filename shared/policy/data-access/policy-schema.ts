import { Type, type Static } from '@sinclair/typebox';
import { PRINTABLE_TRIMMED, StringMap } from '../../schema/index.js';

/**
 * A data access policy, in Apache Ranger's model (../shared/ref/ranger/NOTES.md) with Lakeplane's resource names:
 * warehouse > namespace > table > column (Ranger's trino service: catalog > schema > table > column). The same
 * schema validates the API body, types the evaluator, and is what the policy history stores.
 */

export const ACCESS_TYPES = ['select', 'insert', 'update', 'delete', 'create', 'alter', 'drop', 'index', 'read', 'write', 'all'] as const;
/** What url (storage path) policies grant, as Ranger's hive service: reading and writing files there. */
export const URL_ACCESS_TYPES = ['read', 'write'] as const;
export type AccessType = (typeof ACCESS_TYPES)[number];

export const MASK_TYPES = ['MASK', 'MASK_SHOW_LAST_4', 'MASK_SHOW_FIRST_4', 'MASK_HASH', 'MASK_NULL', 'MASK_NONE', 'MASK_DATE_SHOW_YEAR', 'CUSTOM'] as const;
export type MaskType = (typeof MASK_TYPES)[number];

const Name = Type.String({ minLength: 1, maxLength: 256 });
const Names = Type.Array(Name, { maxItems: 1000, uniqueItems: true, default: [] });

export const ResourceValues = Type.Object(
  {
    values: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
      minItems: 1,
      maxItems: 1000,
      description: 'Values to match; `*` matches any run of characters, `?` one character. Matching ignores case.',
    }),
    excludes: Type.Boolean({ default: false, description: 'Match everything except these values.' }),
    recursive: Type.Boolean({ default: false, description: 'Namespaces only: a value also matches every namespace nested under it.' }),
  },
  { additionalProperties: false },
);
export type ResourceValues = Static<typeof ResourceValues>;

export const PolicyResources = Type.Object(
  {
    warehouse: Type.Optional(ResourceValues),
    namespace: Type.Optional(ResourceValues),
    table: Type.Optional(ResourceValues),
    column: Type.Optional(ResourceValues),
    coversBelow: Type.Optional(
      Type.Boolean({
        description:
          'false: the policy covers the objects at its deepest level and no further (how Ranger reads a policy that stops at a level: one naming only a namespace covers the namespace, not its tables). Default: levels left out cover everything below.',
      }),
    ),
    url: Type.Optional(
      Type.Object(
        {
          values: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
            minItems: 1,
            maxItems: 1000,
            description: 'Absolute URLs (s3://bucket/dir) or *; `*` matches any run of characters, `?` one. Case-sensitive.',
          }),
          recursive: Type.Boolean({ default: false, description: "Also everything below each value (Ranger's isRecursive)." }),
        },
        {
          additionalProperties: false,
          description:
            "Storage-path policy (Ranger's hive `url` resource): who may read or write files there, e.g. to create an external table at a location or read files directly. Access types read, write (and all).",
        },
      ),
    ),
    tags: Type.Optional(
      Type.Object(
        { values: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100 }) },
        {
          additionalProperties: false,
          description: 'Tag-based policy: matches catalog objects carrying any of these tags (case-insensitive), whatever their names.',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Resource-based: warehouse, namespace and table (column for column-level rules and masks); levels left out match everything. Tag-based: tags only. Storage paths: url only.',
  },
);
export type PolicyResources = Static<typeof PolicyResources>;

/** One tag's attributes (Ranger's RangerTag attributes: names to string values). */
export const TagAttributeValues = StringMap({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' }, Type.String({ maxLength: 1024 }), {
  maxProperties: 20,
  description: 'Attribute names (letters, digits, _ . -) to values. expiry_date is a date: yyyy/MM/dd or yyyy-MM-ddTHH:mm:ss.SSSZ, read in UTC.',
});

/** Attributes of catalog tags, by tag name, e.g. {"EXPIRES_ON": {"expiry_date": "2027/12/31"}}; tags without any are left out. */
export const TagAttributes = StringMap({ minLength: 1, maxLength: 64, pattern: PRINTABLE_TRIMMED }, TagAttributeValues, {
  maxProperties: 100,
  description:
    "Attributes of tags, by tag name: each names one of the tags. A tag-based policy's accessed-after-expiry condition reads the matched tag's expiry_date.",
});

export const PolicyCondition = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'Ranger\'s condition type; Lakeplane evaluates `_expression` (see the README for the forms it takes) and, in tag-based policies, `accessed-after-expiry` (values ["yes"]: the matched tag\'s expiry_date has passed).',
    }),
    values: Type.Array(Type.String({ maxLength: 4000 }), { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);
export type PolicyCondition = Static<typeof PolicyCondition>;
const Conditions = (description: string) => Type.Optional(Type.Array(PolicyCondition, { maxItems: 20, description }));

const Subjects = {
  users: Names,
  groups: Type.Array(Name, { maxItems: 1000, uniqueItems: true, default: [], description: 'Group names; `public` means every user.' }),
  roles: Names,
  conditions: Conditions('The item applies only when every one of these holds for the request.'),
};

export const PolicyItem = Type.Object(
  {
    ...Subjects,
    accesses: Type.Array(Type.Union(ACCESS_TYPES.map((a) => Type.Literal(a))), {
      minItems: 1,
      uniqueItems: true,
      description: '`all` grants every access type.',
    }),
    delegateAdmin: Type.Boolean({ default: false, description: 'The subjects may also manage policies for these resources.' }),
  },
  { additionalProperties: false },
);
export type PolicyItem = Static<typeof PolicyItem>;

export const MaskItem = Type.Object(
  {
    ...Subjects,
    type: Type.Union(MASK_TYPES.map((m) => Type.Literal(m))),
    expression: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'CUSTOM only: a SQL expression; {col} stands for the column.' })),
  },
  { additionalProperties: false },
);
export type MaskItem = Static<typeof MaskItem>;

export const RowFilterItem = Type.Object(
  {
    ...Subjects,
    filter: Type.String({ minLength: 1, maxLength: 4000, description: "A SQL predicate over the table's columns; rows where it is not true are hidden." }),
  },
  { additionalProperties: false },
);
export type RowFilterItem = Static<typeof RowFilterItem>;

const ScheduleField = (description: string) => Type.String({ maxLength: 200, description });

/** Ranger's RangerValidityRecurrence: a window of `interval` that opens at every time `schedule` names. */
export const ValidityRecurrence = Type.Object(
  {
    schedule: Type.Object(
      {
        minute: ScheduleField('Minutes 0-59: numbers separated by commas (Ranger allows no ranges or * here).'),
        hour: ScheduleField('Hours 0-23: numbers, ranges a-b, lists, or *.'),
        dayOfMonth: Type.Optional(
          ScheduleField('Days 1-31: numbers, ranges, lists, or *. dayOfMonth or dayOfWeek (or both: the later start counts) is required.'),
        ),
        dayOfWeek: Type.Optional(ScheduleField('Days of the week, 1 (Sunday) to 7 (Saturday): numbers, ranges, lists, or *.')),
        month: ScheduleField('Months 1-12: numbers, ranges, lists, or *.'),
        year: ScheduleField("Years 2017-2100 (within the schedule's start and end): numbers, ranges, lists, or *."),
      },
      { additionalProperties: false },
    ),
    interval: Type.Object(
      {
        days: Type.Optional(Type.Integer({ minimum: 0, maximum: 3660 })),
        hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
        minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 59 })),
      },
      { additionalProperties: false, description: 'How long each window stays open; not all zero.' },
    ),
  },
  { additionalProperties: false },
);
export type ValidityRecurrence = Static<typeof ValidityRecurrence>;

export const ValiditySchedule = Type.Object(
  {
    start: Type.Optional(Type.String({ pattern: '^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'yyyy/MM/dd HH:mm:ss, as Ranger writes it.' })),
    end: Type.Optional(Type.String({ pattern: '^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'Included, as Ranger reads it.' })),
    timeZone: Type.String({
      minLength: 1,
      maxLength: 64,
      default: 'UTC',
      description: 'An IANA time zone, e.g. Europe/Berlin: start, end and the recurrences are read in it.',
    }),
    recurrences: Type.Optional(
      Type.Array(ValidityRecurrence, {
        maxItems: 50,
        description: "Ranger's recurring windows: between start and end, the policy applies only inside one of them.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ValiditySchedule = Static<typeof ValiditySchedule>;

export const POLICY_TYPES = ['access', 'masking', 'row-filter'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** What a client sends to create or replace a policy. */
export const DataPolicyInput = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: PRINTABLE_TRIMMED,
      description: 'Unique among data policies; no control characters, no leading or trailing blanks.',
    }),
    description: Type.String({ maxLength: 4000, default: '' }),
    type: Type.Union(
      POLICY_TYPES.map((t) => Type.Literal(t)),
      { default: 'access' },
    ),
    enabled: Type.Boolean({ default: true }),
    auditEnabled: Type.Boolean({ default: true }),
    priority: Type.Union([Type.Literal('normal'), Type.Literal('override')], {
      default: 'normal',
      description: 'override policies are decided before normal ones, and their answer stands.',
    }),
    resources: PolicyResources,
    allow: Type.Array(PolicyItem, { default: [], maxItems: 500 }),
    deny: Type.Array(PolicyItem, { default: [], maxItems: 500 }),
    allowExceptions: Type.Array(PolicyItem, { default: [], maxItems: 500 }),
    denyExceptions: Type.Array(PolicyItem, { default: [], maxItems: 500 }),
    masks: Type.Array(MaskItem, { default: [], maxItems: 500, description: 'masking policies: the first item that matches the user decides the mask.' }),
    rowFilters: Type.Array(RowFilterItem, {
      default: [],
      maxItems: 500,
      description: 'row-filter policies: the first item that matches the user decides the filter.',
    }),
    conditions: Conditions("The policy takes part only when every one of these holds for the request (Ranger's policy conditions)."),
    denyAllElse: Type.Optional(
      Type.Boolean({
        description:
          "Access policies only (Ranger's isDenyAllElse): on the resources it covers, every access its items do not allow is denied, whatever other policies of its priority allow.",
      }),
    ),
    validity: Type.Array(ValiditySchedule, { default: [], maxItems: 50, description: 'When the policy applies; empty: always.' }),
    labels: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { default: [], maxItems: 50, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type DataPolicyInput = Static<typeof DataPolicyInput>;

/** A stored policy as the evaluator and the API see it. */
export interface DataPolicy extends DataPolicyInput {
  readonly id: string;
  readonly version: number;
}
