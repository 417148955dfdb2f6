import type { TSchema } from '@sinclair/typebox';

/** An event type the platform publishes, with the schema of its data; the schema is published at /cloudevents.json. */
export interface EventType<S extends TSchema = TSchema> {
  readonly type: string;
  readonly description: string;
  readonly schema: S;
}

const EVENT_TYPE = /^io\.lakeplane\.[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v[0-9]+$/;

export function defineEventType<S extends TSchema>(type: string, description: string, schema: S): EventType<S> {
  if (!EVENT_TYPE.test(type)) throw new Error(`event type ${type} must be io.lakeplane.<domain>.<event>.v<N>`);
  return Object.freeze({ type, description, schema });
}
