import { Type, type Static } from '@sinclair/typebox';
import { StringMap } from '../../schema/index.js';

/**
 * A lakehouse definition: a long-running Spark SQL endpoint (HiveServer2 and Spark Connect in one Spark driver) that
 * BI tools, dbt and notebooks reach. Sizes map onto the driver and dynamically allocated executors; auto-stop and
 * auto-start govern its cost when idle. Every Lakeplane warehouse is one of its Spark catalogs (an Iceberg REST
 * catalog on Lakeplane's own), `defaultCatalog` the one unqualified names resolve in.
 */
export const LakehouseName = Type.String({
  pattern: '^[a-z]([-a-z0-9]{0,51}[a-z0-9])?$',
  description:
    'A DNS-1123 label of at most 53 characters (it names Kubernetes objects): lower-case letters, digits and dashes, starting with a letter. Cannot be changed.',
});
const Quantity = Type.String({ pattern: '^[1-9][0-9]{0,6}[kKmMgGtT]$', description: 'Spark memory: a number and k, m, g or t (e.g. 512m, 4g).' });

export const LakehouseResources = Type.Object(
  {
    cores: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
    memory: Type.String({ ...Quantity, default: '1g' }),
  },
  { additionalProperties: false },
);

export const LakehouseExecutors = Type.Object(
  {
    min: Type.Integer({ minimum: 0, maximum: 1000, default: 0, description: 'Dynamic allocation: executors kept when idle.' }),
    max: Type.Integer({ minimum: 1, maximum: 1000, default: 2, description: 'Dynamic allocation: executors at most.' }),
  },
  { additionalProperties: false },
);

/** A Spark setting's key: up to 256 characters. */
const SettingKey = { minLength: 1, maxLength: 256 };

const fields = {
  description: Type.String({ maxLength: 4000, default: '' }),
  owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Default: who creates it.' })),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { default: [], maxItems: 50, uniqueItems: true }),
  driver: Type.Object(LakehouseResources.properties, { additionalProperties: false, default: {} }),
  executor: Type.Object(LakehouseResources.properties, { additionalProperties: false, default: {} }),
  executors: Type.Object(LakehouseExecutors.properties, { additionalProperties: false, default: {} }),
  autoStopMinutes: Type.Integer({
    minimum: 0,
    maximum: 10080,
    default: 30,
    description: 'Stop after this many minutes without a statement or an open session; 0: never.',
  }),
  autoStart: Type.Boolean({ default: true, description: 'Start it when a statement arrives while it is stopped (the statement waits, then runs).' }),
  defaultCatalog: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, description: 'The warehouse unqualified table names resolve in (default: the first warehouse by name).' }),
  ),
  sparkConf: StringMap(SettingKey, Type.String({ maxLength: 8192 }), {
    default: {},
    maxProperties: 500,
    description: 'spark.* settings (those Lakeplane sets itself cannot be given).',
  }),
  image: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: "The Spark image (cluster mode); default: the platform's." })),
  sparkVersion: Type.String({
    pattern: '^3\\.5\\.[0-9]+$',
    maxLength: 32,
    default: '3.5.9',
    description: 'Spark 3.5 (what the Lakeplane engine is built for).',
  }),
};

export const LakehouseSpec = Type.Object({ name: LakehouseName, ...fields }, { additionalProperties: false });
export type LakehouseSpec = Static<typeof LakehouseSpec>;

/** A partial change: given fields replace the stored ones (objects whole); the name cannot change. */
export const LakehousePatch = Type.Object(
  {
    name: Type.Optional(LakehouseName),
    description: Type.Optional(fields.description),
    owner: fields.owner,
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, uniqueItems: true })),
    driver: Type.Optional(
      Type.Object({ cores: Type.Optional(LakehouseResources.properties.cores), memory: Type.Optional(Quantity) }, { additionalProperties: false }),
    ),
    executor: Type.Optional(
      Type.Object({ cores: Type.Optional(LakehouseResources.properties.cores), memory: Type.Optional(Quantity) }, { additionalProperties: false }),
    ),
    executors: Type.Optional(
      Type.Object(
        { min: Type.Optional(LakehouseExecutors.properties.min), max: Type.Optional(LakehouseExecutors.properties.max) },
        { additionalProperties: false },
      ),
    ),
    autoStopMinutes: Type.Optional(fields.autoStopMinutes),
    autoStart: Type.Optional(fields.autoStart),
    defaultCatalog: Type.Optional(Type.Union([fields.defaultCatalog, Type.Null()])),
    sparkConf: Type.Optional(StringMap(SettingKey, Type.String({ maxLength: 8192 }), { maxProperties: 500 })),
    image: Type.Optional(Type.Union([fields.image, Type.Null()])),
    sparkVersion: Type.Optional(Type.String({ pattern: '^3\\.5\\.[0-9]+$', maxLength: 32 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type LakehousePatch = Static<typeof LakehousePatch>;

/** What only takes effect when the workload starts; a change to any of these on a running lakehouse needs a restart. */
export const RESTART_FIELDS = ['driver', 'executor', 'executors', 'defaultCatalog', 'sparkConf', 'image', 'sparkVersion'] as const satisfies ReadonlyArray<
  keyof LakehouseSpec
>;
