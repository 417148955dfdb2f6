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

const LakehouseStartRequest = Type.Object({
  lakehouseId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  generation: Type.Integer({
    description: 'The generation the lakehouse was stopped (or failed) at when it was asked for: a later one means the request is done with.',
  }),
  actor: Type.String(),
});

export const LakehouseEvents = {
  changed: defineEventType('io.lakeplane.lakehouses.lakehouse.changed.v1', 'A lakehouse definition was created, changed or deleted.', LakehouseChange),
  stateChanged: defineEventType(
    'io.lakeplane.lakehouses.lakehouse.state-changed.v1',
    'A lakehouse moved to another state (STOPPED, STARTING, RUNNING, STOPPING, FAILED, DELETING).',
    LakehouseStateChange,
  ),
  /**
   * A connection through the gateway or a statement of the SQL function found the lakehouse stopped with auto-start
   * on. Only the lakehouses function starts lakehouses (the workload it then supervises is its own), so other
   * processes ask it with this event.
   */
  startRequested: defineEventType(
    'io.lakeplane.lakehouses.lakehouse.start-requested.v1',
    'A stopped lakehouse with auto-start on was asked to start by a connection or a statement; the lakehouses function starts it.',
    LakehouseStartRequest,
  ),
} as const;
