import { Type, type Static } from '@sinclair/typebox';
import type { LakehouseActivityRow, LakehouseRow } from '../../db/index.js';
import { LakehouseSpec, RESTART_FIELDS } from './lakehouse-spec.js';
import { LAKEHOUSE_STATES } from './lakehouse-states.js';
import type { LakehouseEndpoints } from '../../runtime/index.js';

const HostPort = Type.Object({ host: Type.String(), port: Type.Integer() });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Lakehouse = Type.Intersect([
  Type.Omit(LakehouseSpec, ['owner']),
  Type.Object({
    id: Type.String({ format: 'uuid' }),
    owner: Type.String(),
    version: Type.Integer({ description: 'Bumped by every change of the definition; send it back in If-Match.' }),
    state: Type.Union(LAKEHOUSE_STATES.map((s) => Type.Literal(s))),
    stateMessage: Nullable(Type.String()),
    stateChangedAt: Timestamp,
    restartRequired: Type.Boolean({ description: 'The definition changed in a way that takes effect only at the next start.' }),
    generation: Type.Integer({ description: 'How many times it was started.' }),
    endpoints: Nullable(Type.Object({ hiveServer2: HostPort, sparkConnect: HostPort }, { description: 'Where its servers are reached while it runs.' })),
    sparkUiUrl: Nullable(Type.String()),
    lastActivityAt: Nullable(Timestamp),
    createdAt: Timestamp,
    createdBy: Nullable(Type.String()),
    updatedAt: Timestamp,
    updatedBy: Nullable(Type.String()),
  }),
]);
export type Lakehouse = Static<typeof Lakehouse>;

export function specOf(row: Pick<LakehouseRow, 'spec' | 'owner'>): LakehouseSpec {
  return { ...(row.spec as unknown as LakehouseSpec), owner: row.owner };
}

/** The fields that need a restart, as they are now and as the workload runs them. */
export function restartRequired(row: Pick<LakehouseRow, 'state' | 'spec' | 'running_spec'>): boolean {
  if (!row.running_spec || !['STARTING', 'RUNNING'].includes(row.state)) return false;
  const now = row.spec as Record<string, unknown>;
  const ran = row.running_spec as Record<string, unknown>;
  return RESTART_FIELDS.some((f) => JSON.stringify(now[f] ?? null) !== JSON.stringify(ran[f] ?? null));
}

export function endpointsOf(row: Pick<LakehouseRow, 'endpoints'>): LakehouseEndpoints | undefined {
  return (row.endpoints as unknown as LakehouseEndpoints | null) ?? undefined;
}

export function toLakehouse(row: LakehouseRow): Lakehouse {
  const { owner: _owner, ...spec } = specOf(row);
  const endpoints = endpointsOf(row);
  const serving = row.state === 'RUNNING' && endpoints;
  return {
    ...spec,
    id: row.id,
    owner: row.owner,
    version: row.version,
    state: row.state,
    stateMessage: row.state_message,
    stateChangedAt: row.state_changed_at.toISOString(),
    restartRequired: restartRequired(row),
    generation: row.generation,
    endpoints: serving ? { hiveServer2: endpoints.hiveServer2, sparkConnect: endpoints.sparkConnect } : null,
    sparkUiUrl: serving ? (row.ui_url ?? `http://${endpoints.ui.host}:${endpoints.ui.port}`) : null,
    lastActivityAt: row.last_activity_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

export const ActivityEntry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  kind: Type.Union([Type.Literal('state'), Type.Literal('action'), Type.Literal('change')]),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  action: Nullable(Type.String()),
  actor: Nullable(Type.String()),
  message: Nullable(Type.String()),
});

export function toActivityEntry(r: LakehouseActivityRow): Static<typeof ActivityEntry> {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    kind: r.kind,
    fromState: r.from_state,
    toState: r.to_state,
    action: r.action,
    actor: r.actor,
    message: r.message,
  };
}
