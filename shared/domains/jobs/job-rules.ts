import { Cron } from 'croner';
import type { FieldProblem } from '../../errors/index.js';
import { isKnownTimeZone } from '../../policy/index.js';
import type { JobSpec, RunOverrides } from './job-spec.js';

const problem = (field: string, message: string): FieldProblem => ({ in: 'body', field, message });

/** Spark memory in MiB: 512m, 4g, 1t (k is rounded up). */
export function memoryMiB(q: string): number {
  const n = Number(q.slice(0, -1));
  switch (q.slice(-1).toLowerCase()) {
    case 'k':
      return Math.ceil(n / 1024);
    case 'm':
      return n;
    case 'g':
      return n * 1024;
    default:
      return n * 1024 * 1024;
  }
}

/** Below this Spark does not start a driver or executor (it wants ~450 MB of heap; 384m is its overhead floor). */
const MIN_MEMORY_MIB = 384;
const MAX_MEMORY_MIB = 512 * 1024;

/** A schedule's cron, checked by croner (five fields: minute hour day-of-month month day-of-week). */
export function cronProblem(cron: string, timeZone: string): string | undefined {
  if (cron.trim().split(/\s+/).length !== 5) return 'must have five fields: minute hour day-of-month month day-of-week';
  try {
    new Cron(cron, { paused: true, timezone: timeZone });
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
}

/** What the schema cannot say about a job; every problem at once, each naming its field. */
export function jobProblems(spec: JobSpec): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (spec.type === 'python') {
    if (spec.mainClass !== undefined) out.push(problem('mainClass', 'applies to scala and java jobs only'));
    if (!/\.py$/i.test(spec.mainApplicationFile)) out.push(problem('mainApplicationFile', 'a python job runs a .py file'));
  } else {
    if (spec.mainClass === undefined) out.push(problem('mainClass', `is required for ${spec.type} jobs`));
    if (spec.deps.pyFiles.length > 0) out.push(problem('deps.pyFiles', 'apply to python jobs only'));
  }
  for (const part of ['driver', 'executor'] as const) {
    const mib = memoryMiB(spec[part].memory);
    if (mib < MIN_MEMORY_MIB) out.push(problem(`${part}.memory`, `${spec[part].memory} is below Spark's minimum of ${MIN_MEMORY_MIB}m`));
    if (mib > MAX_MEMORY_MIB) out.push(problem(`${part}.memory`, `${spec[part].memory} is more than 512g`));
  }
  const da = spec.dynamicAllocation;
  if (da && da.minExecutors > da.maxExecutors) out.push(problem('dynamicAllocation.minExecutors', `is more than maxExecutors (${da.maxExecutors})`));
  for (const key of Object.keys(spec.sparkConf)) if (!key.startsWith('spark.')) out.push(problem(`sparkConf.${key}`, 'Spark settings start with "spark."'));
  for (const key of Object.keys(spec.hadoopConf))
    if (key.startsWith('spark.')) out.push(problem(`hadoopConf.${key}`, 'give Hadoop settings without "spark.hadoop."'));
  const envNames = new Set(Object.keys(spec.env));
  spec.secrets.forEach((s, i) => {
    if (envNames.has(s.env)) out.push(problem(`secrets.${i}.env`, `${s.env} is also set in env`));
  });
  if (spec.schedule) {
    if (!isKnownTimeZone(spec.schedule.timeZone)) out.push(problem('schedule.timeZone', `${spec.schedule.timeZone} is not an IANA time zone`));
    else {
      const why = cronProblem(spec.schedule.cron, spec.schedule.timeZone);
      if (why) out.push(problem('schedule.cron', why));
    }
  }
  return out;
}

export function overrideProblems(o: RunOverrides): FieldProblem[] {
  return Object.keys(o.sparkConf ?? {})
    .filter((k) => !k.startsWith('spark.'))
    .map((k) => problem(`sparkConf.${k}`, 'Spark settings start with "spark."'));
}
