import type { Config } from '../config/index.js';
import type { EventConsumer, EventType, FunctionServices } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { embeddedTicker, pingConsumer, type PeriodicTask } from './periodic-worker.js';
import type { FunctionContext } from './function-context.js';
import type { RouteDefinition } from './route.js';

/** What starting a worker needs of the process besides the services it hands on: the configuration, and a log. */
export interface WorkerDependencies {
  readonly config: Config;
  readonly logger: Logger;
}

/** Background work a function runs while its process lives (tickers, dispatchers); returns how to stop it. */
export type Worker = (platform: WorkerDependencies & FunctionServices) => Promise<() => Promise<void>> | (() => Promise<void>);

/** One deployable: its name (FUNCTION_TARGET), its HTTP routes and the CloudEvent types it consumes. */
export interface LakeplaneFunction {
  readonly name: string;
  readonly description: string;
  readonly routes: readonly RouteDefinition[];
  readonly consumes: readonly EventConsumer[];
  readonly workers: readonly Worker[];
  /** Event types this function publishes (documented in /openapi.json and /cloudevents.json). */
  readonly publishes: readonly EventType[];
  /** The function's own state, made when a process starts serving it (see functionContext()). */
  readonly context: FunctionContext<unknown> | undefined;
}

export interface FunctionDefinition {
  name: string;
  description: string;
  routes: RouteDefinition[];
  consumes?: EventConsumer[];
  workers?: Worker[];
  /** Work done on every PingSource tick in cluster mode and on a timer in embedded mode (see periodic()). */
  periodic?: PeriodicTask[];
  publishes?: EventType[];
  /** The function's own state (caches, batchers, metrics) for the life of the process; reached with contextOf(). */
  context?: FunctionContext<unknown>;
}

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,40}$/;

export function defineFunction(def: FunctionDefinition): LakeplaneFunction {
  if (!FUNCTION_NAME.test(def.name)) throw new Error(`invalid function name ${def.name}`);
  const periodic = def.periodic ?? [];
  return Object.freeze({
    name: def.name,
    description: def.description,
    routes: Object.freeze([...def.routes]),
    consumes: Object.freeze([...(def.consumes ?? []), ...(periodic.length > 0 ? [pingConsumer(periodic)] : [])]),
    workers: Object.freeze([...(def.workers ?? []), ...periodic.flatMap((t) => (t.intervalOf ? [embeddedTicker(t.what, t.intervalOf, t.run)] : []))]),
    publishes: Object.freeze([...(def.publishes ?? [])]),
    context: def.context,
  });
}

/** Where a function receives CloudEvents over HTTP (Knative Triggers point here). */
export function ingestPath(functionName: string): string {
  return `/cloudevents/${functionName}`;
}
