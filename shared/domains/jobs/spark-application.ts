import type { SparkApplication, SparkApplicationSpec } from '../../runtime/index.js';
import type { JobSpec, RunOverrides } from './job-spec.js';

export const LABELS = { job: 'lakeplane.io/job-id', run: 'lakeplane.io/run-id', attempt: 'lakeplane.io/attempt' } as const;

/**
 * An attempt's name, the same on every submit of it: `<job name>-<run id's first 12 hex>-<attempt>`, at most 63
 * characters, so a retried submit finds the application it already created instead of making a second one.
 */
export function attemptName(jobName: string, runId: string, attempt: number): string {
  return `${jobName}-${runId.replace(/-/g, '').slice(0, 12)}-${attempt}`;
}

export interface ApplicationDefaults {
  namespace: string;
  serviceAccount?: string | undefined;
  image?: string | undefined;
}

const TYPES = { python: 'Python', scala: 'Scala', java: 'Java' } as const;

/**
 * The SparkApplication of one attempt: the job's spec with the run's overrides, labelled with job, run and attempt.
 * Retries are ours (one application per attempt), so the operator's restartPolicy is Never.
 */
export function sparkApplication(
  spec: JobSpec,
  overrides: RunOverrides,
  ids: { jobId: string; runId: string; attempt: number },
  defaults: ApplicationDefaults,
): SparkApplication {
  const labels = { [LABELS.job]: ids.jobId, [LABELS.run]: ids.runId, [LABELS.attempt]: String(ids.attempt), 'app.kubernetes.io/managed-by': 'lakeplane' };
  const env = [
    ...Object.entries(spec.env).map(([name, value]) => ({ name, value })),
    ...spec.secrets.map((s) => ({ name: s.env, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key } } })),
  ];
  const deps: SparkApplicationSpec['deps'] = {};
  for (const k of ['jars', 'pyFiles', 'files', 'packages'] as const) if (spec.deps[k].length > 0) deps[k] = [...spec.deps[k]];
  const image = spec.image ?? defaults.image;
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: attemptName(spec.name, ids.runId, ids.attempt), namespace: defaults.namespace, labels },
    spec: {
      type: TYPES[spec.type],
      mode: 'cluster',
      sparkVersion: spec.sparkVersion,
      ...(image ? { image } : {}),
      mainApplicationFile: spec.mainApplicationFile,
      ...(spec.mainClass ? { mainClass: spec.mainClass } : {}),
      arguments: [...(overrides.arguments ?? spec.arguments)],
      sparkConf: { ...spec.sparkConf, ...(overrides.sparkConf ?? {}) },
      hadoopConf: { ...spec.hadoopConf },
      deps,
      driver: {
        cores: spec.driver.cores,
        memory: spec.driver.memory,
        ...(defaults.serviceAccount ? { serviceAccount: defaults.serviceAccount } : {}),
        labels,
        env,
      },
      executor: { cores: spec.executor.cores, memory: spec.executor.memory, instances: spec.executor.instances, labels, env },
      ...(spec.dynamicAllocation ? { dynamicAllocation: { ...spec.dynamicAllocation } } : {}),
      restartPolicy: { type: 'Never' },
    },
  };
}
