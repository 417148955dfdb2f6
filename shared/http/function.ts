import type { Static, TSchema } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import type { Tx } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { Platform } from '../platform/platform.js';
import type { EventType } from '../events/index.js';
import type { RouteDefinition } from './route.js';

export interface EventContext {
  readonly platform: Platform;
  readonly log: Logger;
  /** The transaction the consumed-event key is recorded in: the effect commits with it or not at all. */
  readonly tx: Tx;
}

export interface EventConsumer<S extends TSchema = TSchema> {
  /** io.lakeplane.<domain>.<event>.v1, or a foreign type such as dev.knative.sources.ping */
  type: string;
  schema: S;
  handle(ctx: EventContext, data: Static<S>, event: CloudEventV1<unknown>): Promise<void>;
}

export function consumer<S extends TSchema>(c: EventConsumer<S>): EventConsumer {
  return c as unknown as EventConsumer;
}

/** Background work a function runs while its process lives (tickers, dispatchers); returns how to stop it. */
export type Worker = (platform: Platform) => Promise<() => Promise<void>> | (() => Promise<void>);

/** One deployable: its name (FUNCTION_TARGET), its HTTP routes and the CloudEvent types it consumes. */
export interface LakeplaneFunction {
  readonly name: string;
  readonly description: string;
  readonly routes: readonly RouteDefinition[];
  readonly consumes: readonly EventConsumer[];
  readonly workers: readonly Worker[];
  /** Event types this function publishes (documented in /openapi.json and /cloudevents.json). */
  readonly publishes: readonly EventType[];
}

export interface FunctionDefinition {
  name: string;
  description: string;
  routes: RouteDefinition[];
  consumes?: EventConsumer[];
  workers?: Worker[];
  publishes?: EventType[];
}

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,40}$/;

export function defineFunction(def: FunctionDefinition): LakeplaneFunction {
  if (!FUNCTION_NAME.test(def.name)) throw new Error(`invalid function name ${def.name}`);
  return Object.freeze({
    name: def.name,
    description: def.description,
    routes: Object.freeze([...def.routes]),
    consumes: Object.freeze([...(def.consumes ?? [])]),
    workers: Object.freeze([...(def.workers ?? [])]),
    publishes: Object.freeze([...(def.publishes ?? [])]),
  });
}

/** Where a function receives CloudEvents over HTTP (Knative Triggers point here). */
export function ingestPath(functionName: string): string {
  return `/cloudevents/${functionName}`;
}
