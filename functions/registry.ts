import type { LakeplaneFunction } from '../shared/http/index.js';

/**
 * How a process finds its functions by name without loading the others. A Knative pod serves one function
 * (FUNCTION_TARGET): the build splits each function into its own chunk, and only the one asked for is parsed and
 * run at start (cold start). Keep in step with functions/index.ts; a test checks the two agree.
 */
const loaders: Record<string, () => Promise<LakeplaneFunction>> = {
  iam: async () => (await import('./iam/index.js')).iam,
  catalog: async () => (await import('./catalog/index.js')).catalog,
  events: async () => (await import('./events/index.js')).events,
  policies: async () => (await import('./policies/index.js')).policies,
  jobs: async () => (await import('./jobs/index.js')).jobs,
  history: async () => (await import('./history/index.js')).history,
  scheduler: async () => (await import('./scheduler/index.js')).scheduler,
  webhooks: async () => (await import('./webhooks/index.js')).webhooks,
  lakehouses: async () => (await import('./lakehouses/index.js')).lakehouses,
  sql: async () => (await import('./sql/index.js')).sql,
  metastore: async () => (await import('./metastore/index.js')).metastore,
};

export const functionNames: readonly string[] = Object.keys(loaders);

export async function loadFunction(name: string): Promise<LakeplaneFunction | undefined> {
  return loaders[name]?.();
}

export async function loadAllFunctions(): Promise<LakeplaneFunction[]> {
  return Promise.all(functionNames.map((n) => loaders[n]!()));
}

/**
 * The gateway's FUNCTION_TARGET. The gateway is a deployable but no function of the set above (it owns no route of
 * the platform API and is no part of embedded mode): it routes to them, by their route table.
 */
export const GATEWAY_TARGET = 'gateway';

export async function loadGateway(): Promise<typeof import('./gateway/index.js')> {
  return import('./gateway/index.js');
}
