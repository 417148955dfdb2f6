import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { SparkApplication } from './spark-application.js';
import type { Logger } from '../log/index.js';
import { KubernetesEndpointExposure, LocalEndpointExposure, type EndpointExposure } from './endpoint-exposure.js';
import { KubernetesRuntime } from './kubernetes-runtime.js';
import { LocalSparkRuntime } from './local-spark-runtime.js';
import type { ResourceChange, WorkloadRuntime } from './workload-runtime.js';

function onPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** spark-submit: the configured one, else $SPARK_HOME's, else the one on PATH. */
export function findSparkSubmit(config: Pick<Config, 'LAKEPLANE_SPARK_SUBMIT'>): string | undefined {
  if (config.LAKEPLANE_SPARK_SUBMIT) return config.LAKEPLANE_SPARK_SUBMIT;
  const home = process.env['SPARK_HOME'];
  if (home && existsSync(path.join(home, 'bin', 'spark-submit'))) return path.join(home, 'bin', 'spark-submit');
  return onPath('spark-submit');
}

function dataSubdir(config: Config, name: string): string {
  if (config.LAKEPLANE_DATA_DIR.startsWith('memory://')) return mkdtempSync(path.join(tmpdir(), `lakeplane-${name}-`));
  return path.join(config.LAKEPLANE_DATA_DIR, name);
}

/** The one place the two modes' workload runtimes are chosen. */
export function createRuntime(config: Config, log: Logger, publish: (change: ResourceChange, app: SparkApplication) => Promise<void>): WorkloadRuntime {
  const kind = config.LAKEPLANE_JOBS_RUNTIME ?? (config.LAKEPLANE_MODE === 'embedded' ? 'local' : 'kubernetes');
  if (kind === 'kubernetes') return new KubernetesRuntime(config.LAKEPLANE_JOBS_NAMESPACE, config.LAKEPLANE_KUBECONFIG);
  const sparkSubmit = findSparkSubmit(config);
  const besideSubmit = sparkSubmit ? path.join(path.dirname(sparkSubmit), 'python') : undefined;
  return new LocalSparkRuntime({
    sparkSubmit,
    python: config.LAKEPLANE_SPARK_PYTHON ?? (besideSubmit && existsSync(besideSubmit) ? besideSubmit : undefined),
    master: config.LAKEPLANE_SPARK_MASTER,
    logDir: config.LAKEPLANE_JOBS_LOG_DIR ?? dataSubdir(config, 'runs'),
    secretsDir: config.LAKEPLANE_JOBS_SECRETS_DIR ?? dataSubdir(config, 'secrets'),
    killGraceMs: 10_000,
    publish,
    log,
  });
}

/** How a lakehouse's endpoints are reached, for the runtime chosen above: loopback ports, or a Service in the cluster. */
export function createEndpointExposure(config: Config, runtime: WorkloadRuntime): EndpointExposure {
  if (runtime instanceof KubernetesRuntime)
    return new KubernetesEndpointExposure({ request: (m, p, b) => runtime.apiRequest(m, p, b) }, config.LAKEPLANE_JOBS_NAMESPACE);
  return new LocalEndpointExposure();
}
