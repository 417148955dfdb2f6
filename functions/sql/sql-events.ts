import { Type } from '@sinclair/typebox';
import { defineEventType } from '../../shared/events/index.js';

const StatementFinished = Type.Object({
  statementId: Type.String({ format: 'uuid' }),
  lakehouseId: Type.String({ format: 'uuid' }),
  lakehouseName: Type.String(),
  owner: Type.String(),
  state: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED'), Type.Literal('CANCELED')]),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  rowCount: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Integer(),
});

export const SqlEvents = {
  statementFinished: defineEventType(
    'io.lakeplane.sql.statement.finished.v1',
    "A SQL statement ended: SUCCEEDED (with its row count), FAILED (with the engine's error code) or CANCELED.",
    StatementFinished,
  ),
} as const;
