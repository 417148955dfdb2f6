import { Type, type Static } from '@sinclair/typebox';
import { StringMap } from '../../schema/index.js';

/**
 * A Spark job definition: what to run (type, main file, class, arguments, dependencies, image, Spark version), how
 * big (driver and executors, dynamic allocation), its configuration (sparkConf, hadoopConf, environment, secret
 * references), and how it behaves (retries, timeout, schedule, concurrency, event triggers). It maps onto a Spark
 * Operator SparkApplication (../shared/ref/spark-operator) and onto spark-submit for the local runtime.
 * Secret values are never stored: a reference names a Kubernetes Secret and key.
 */
const Name = Type.String({
  pattern: '^[a-z0-9]([-a-z0-9]{0,46}[a-z0-9])?$',
  description: 'Lower-case letters, digits and dashes, at most 48 (it names Kubernetes objects).',
});
const Str = (max = 4096) => Type.String({ minLength: 1, maxLength: max });
/** Spark and Hadoop settings: keys up to 256 characters, values up to 8 KiB, at most 500 of them. */
const SettingKey = { minLength: 1, maxLength: 256 };
const Settings = (what: string) => StringMap(SettingKey, Type.String({ maxLength: 8192 }), { default: {}, description: what, maxProperties: 500 });
/** One part of Maven coordinates: no colon, white space or control character (Python and ECMAScript disagree on which controls \s takes). */
const COORDINATE = '[^:\\s\\u0000-\\u001F\\u007F-\\u009F]+';
const Quantity = Type.String({ pattern: '^[1-9][0-9]{0,6}[kKmMgGtT]$', description: 'Spark memory: a number and k, m, g or t (e.g. 512m, 4g).' });

export const Resources = Type.Object(
  {
    cores: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
    memory: Type.String({ ...Quantity, default: '1g' }),
  },
  { additionalProperties: false },
);

export const ExecutorResources = Type.Object(
  {
    cores: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
    memory: Type.String({ ...Quantity, default: '1g' }),
    instances: Type.Integer({ minimum: 1, maximum: 1000, default: 1 }),
  },
  { additionalProperties: false },
);

export const SecretRef = Type.Object(
  {
    env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$', description: 'The environment variable the value is given as.' }),
    secretName: Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', description: 'A Kubernetes Secret in the jobs namespace.' }),
    key: Type.String({ pattern: '^[-._a-zA-Z0-9]{1,253}$' }),
  },
  { additionalProperties: false },
);

export const Schedule = Type.Object(
  {
    cron: Type.String({ minLength: 9, maxLength: 200, description: 'Five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *".' }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, default: 'UTC', description: 'An IANA time zone.' }),
    paused: Type.Boolean({ default: false }),
    catchUp: Type.Union([Type.Literal('none'), Type.Literal('last'), Type.Literal('all')], {
      default: 'none',
      description: 'After downtime: start nothing missed, the last missed slot, or every missed slot.',
    }),
  },
  { additionalProperties: false },
);

export const TableTrigger = Type.Object(
  {
    on: Type.Literal('catalog.table.committed'),
    warehouse: Str(256),
    namespace: Type.Optional(Type.Array(Str(256), { minItems: 1, maxItems: 16 })),
    table: Type.Optional(Str(256)),
  },
  { additionalProperties: false },
);

/** Attempts of one run at most: also the highest attempt number a run can have. */
export const MAX_ATTEMPTS = 20;

export const JobSpec = Type.Object(
  {
    name: Name,
    description: Type.String({ maxLength: 4000, default: '' }),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Default: who creates the job.' })),
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { default: [], maxItems: 50, uniqueItems: true }),
    type: Type.Union([Type.Literal('python'), Type.Literal('scala'), Type.Literal('java')]),
    mainApplicationFile: Str(),
    mainClass: Type.Optional(Type.String({ pattern: '^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$', maxLength: 512 })),
    arguments: Type.Array(Type.String({ maxLength: 8192 }), { default: [], maxItems: 500 }),
    sparkConf: Settings('spark.* settings.'),
    hadoopConf: Settings('Hadoop settings (given to Spark as spark.hadoop.*).'),
    deps: Type.Object(
      {
        jars: Type.Array(Str(), { default: [], maxItems: 200 }),
        pyFiles: Type.Array(Str(), { default: [], maxItems: 200 }),
        files: Type.Array(Str(), { default: [], maxItems: 200 }),
        packages: Type.Array(
          Type.String({ pattern: `^${COORDINATE}:${COORDINATE}:${COORDINATE}$`, maxLength: 512, description: 'Maven coordinates group:artifact:version.' }),
          { default: [], maxItems: 100 },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    image: Type.Optional(Str(512)),
    sparkVersion: Type.String({ pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$', maxLength: 32, default: '3.5.7' }),
    driver: Type.Object({ cores: Resources.properties.cores, memory: Resources.properties.memory }, { additionalProperties: false, default: {} }),
    executor: Type.Object(
      { cores: ExecutorResources.properties.cores, memory: ExecutorResources.properties.memory, instances: ExecutorResources.properties.instances },
      { additionalProperties: false, default: {} },
    ),
    dynamicAllocation: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({ default: true }),
          minExecutors: Type.Integer({ minimum: 0, maximum: 1000, default: 0 }),
          maxExecutors: Type.Integer({ minimum: 1, maximum: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
    env: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' }), Type.String({ maxLength: 8192 }), { default: {}, maxProperties: 200 }),
    secrets: Type.Array(SecretRef, { default: [], maxItems: 100 }),
    retry: Type.Object(
      {
        maxAttempts: Type.Integer({ minimum: 1, maximum: MAX_ATTEMPTS, default: 1, description: 'Attempts in all, the first included.' }),
        backoffSeconds: Type.Integer({
          minimum: 0,
          maximum: 86400,
          default: 30,
          description: 'Wait before the second attempt; doubles with each further one.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86400, description: 'A run still going after this long is stopped and TIMED_OUT.' })),
    schedule: Type.Optional(Schedule),
    concurrencyPolicy: Type.Union([Type.Literal('Allow'), Type.Literal('Forbid'), Type.Literal('Replace')], {
      default: 'Allow',
      description: 'When a scheduled or triggered run is due while another runs: run both, skip the new one, or cancel the old one.',
    }),
    triggers: Type.Array(TableTrigger, { default: [], maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type JobSpec = Static<typeof JobSpec>;

/** What a run may change for itself; nothing else. */
export const RunOverrides = Type.Object(
  {
    arguments: Type.Optional(Type.Array(Type.String({ maxLength: 8192 }), { maxItems: 500 })),
    sparkConf: Type.Optional(StringMap(SettingKey, Type.String({ maxLength: 8192 }), { maxProperties: 500 })),
  },
  { additionalProperties: false },
);
export type RunOverrides = Static<typeof RunOverrides>;

/** The executors a job may use at most: what the control policies' executor limit looks at. */
export function maxExecutors(spec: JobSpec): number {
  return spec.dynamicAllocation?.enabled ? spec.dynamicAllocation.maxExecutors : spec.executor.instances;
}
