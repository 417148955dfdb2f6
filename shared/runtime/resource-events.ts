import { Type } from '@sinclair/typebox';
import type { EventType } from '../events/index.js';

/** A SparkApplication as the event's data: checked for what the status consumer reads, the rest let through. */
export const SparkApplicationData = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Object(
      {
        name: Type.String({ minLength: 1 }),
        resourceVersion: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
        labels: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      { additionalProperties: true },
    ),
    status: Type.Optional(
      Type.Object(
        {
          applicationState: Type.Optional(
            Type.Object({ state: Type.Optional(Type.String()), errorMessage: Type.Optional(Type.String()) }, { additionalProperties: true }),
          ),
          sparkApplicationId: Type.Optional(Type.String()),
          driverInfo: Type.Optional(
            Type.Object({ webUIAddress: Type.Optional(Type.String()), webUIIngressAddress: Type.Optional(Type.String()) }, { additionalProperties: true }),
          ),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: true },
);

/**
 * Knative's ApiServerSource types (mode Resource: the object itself is the data). The local runtime publishes the
 * same, so runs are kept up to date one way in both modes.
 */
export const ResourceEvents: Record<'add' | 'update' | 'delete', EventType<typeof SparkApplicationData>> = {
  add: {
    type: 'dev.knative.apiserver.resource.add',
    description: 'A SparkApplication was created (ApiServerSource, or the local runtime).',
    schema: SparkApplicationData,
  },
  update: { type: 'dev.knative.apiserver.resource.update', description: 'A SparkApplication changed, its status included.', schema: SparkApplicationData },
  delete: { type: 'dev.knative.apiserver.resource.delete', description: 'A SparkApplication was deleted.', schema: SparkApplicationData },
};
