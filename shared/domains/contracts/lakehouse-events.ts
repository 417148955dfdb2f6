import { Type } from '@sinclair/typebox';
import { defineEventType } from '../../events/index.js';

const LakehouseChange = Type.Object({
  lakehouseId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.Integer(),
  change: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  restartRequired: Type.Boolean(),
  actor: Type.Union([Type.String(), Type.Null()]),
});

const LakehouseStateChange = Type.Object({
  lakehouseId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  state: Type.String(),
  previousState: Type.Union([Type.String(), Type.Null()]),
  generation: Type.Integer(),
  source: Type.String({ description: 'api (an action), runtime (a workload report), probe, auto-stop, auto-start or supervisor.' }),
  actor: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
});

export const LakehouseEvents = {
  changed: defineEventType('io.lakeplane.lakehouses.lakehouse.changed.v1', 'A lakehouse definition was created, changed or deleted.', LakehouseChange),
  stateChanged: defineEventType(
    'io.lakeplane.lakehouses.lakehouse.state-changed.v1',
    'A lakehouse moved to another state (STOPPED, STARTING, RUNNING, STOPPING, FAILED, DELETING).',
    LakehouseStateChange,
  ),
} as const;
