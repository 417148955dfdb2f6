import type { FieldProblem } from '../../errors/index.js';
import { memoryMiB } from '../jobs/index.js';
import type { LakehouseSpec } from './lakehouse-spec.js';

const problem = (field: string, message: string): FieldProblem => ({ in: 'body', field, message });

/** Below this Spark does not start a driver or executor; above it no node we know of has the memory. */
const MIN_MEMORY_MIB = 512;
const MAX_MEMORY_MIB = 512 * 1024;

/**
 * Settings Lakeplane sets itself and a lakehouse definition may not: they wire the endpoints, the catalogs, the
 * authentication and the policy enforcement. Letting a definition change them would switch enforcement off.
 */
const PINNED_PREFIXES = ['spark.sql.catalog.', 'spark.lakeplane.', 'spark.connect.', 'spark.hadoop.hive.server2.', 'spark.sql.hive.thriftServer.'];
const PINNED_KEYS = new Set([
  'spark.sql.extensions',
  'spark.sql.defaultCatalog',
  'spark.sql.runSQLOnFiles',
  'spark.plugins',
  'spark.master',
  'spark.submit.deployMode',
  'spark.driver.extraClassPath',
  'spark.driver.host',
  'spark.driver.bindAddress',
  'spark.sql.optimizer.excludedRules',
  'spark.sql.legacy.setCommandRejectsSparkCoreConfs',
]);

export function isPinnedSetting(key: string): boolean {
  return PINNED_KEYS.has(key) || PINNED_PREFIXES.some((p) => key.startsWith(p));
}

/** What the schema cannot say about a lakehouse; every problem at once, each naming its field. */
export function lakehouseProblems(spec: LakehouseSpec): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const part of ['driver', 'executor'] as const) {
    const mib = memoryMiB(spec[part].memory);
    if (mib < MIN_MEMORY_MIB) out.push(problem(`${part}.memory`, `${spec[part].memory} is below the minimum of ${MIN_MEMORY_MIB}m`));
    if (mib > MAX_MEMORY_MIB) out.push(problem(`${part}.memory`, `${spec[part].memory} is more than 512g`));
  }
  if (spec.executors.min > spec.executors.max) out.push(problem('executors.min', `is more than executors.max (${spec.executors.max})`));
  for (const key of Object.keys(spec.sparkConf)) {
    if (!key.startsWith('spark.')) out.push(problem(`sparkConf.${key}`, 'Spark settings start with "spark."'));
    else if (isPinnedSetting(key))
      out.push(problem(`sparkConf.${key}`, 'is set by Lakeplane (endpoints, catalogs, authentication or policy enforcement) and cannot be given'));
  }
  return out;
}
