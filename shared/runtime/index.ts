export type { FollowOptions, ResourceChange, SubmitResult, WorkloadRuntime } from './workload-runtime.js';
export { createRuntime, findSparkSubmit } from './create-runtime.js';
