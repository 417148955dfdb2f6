export type { FollowOptions, ResourceChange, SubmitResult, WorkloadRuntime } from './workload-runtime.js';
export { createRuntime, findSparkSubmit } from './create-runtime.js';
export { createEndpointExposure } from './create-runtime.js';
export {
  LAKEHOUSE_PORTS,
  LocalEndpointExposure,
  KubernetesEndpointExposure,
  lakehouseServiceName,
  type EndpointExposure,
  type EndpointPlan,
  type HostPort,
  type LakehouseEndpoints,
  type KubernetesApi,
} from './endpoint-exposure.js';
export { KubernetesRuntime } from './kubernetes-runtime.js';
export type { SparkApplication, SparkApplicationSpec, SparkApplicationStatus } from './spark-application.js';
export { ResourceEvents, SparkApplicationData } from './resource-events.js';
