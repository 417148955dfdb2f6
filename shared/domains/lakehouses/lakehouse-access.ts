import type { FunctionServices } from '../../events/index.js';
import type { Db, Executor, LakehouseRow } from '../../db/index.js';
import { ConflictError, NotFoundError } from '../../errors/index.js';
import type { LakehouseEndpoints } from '../../runtime/index.js';
import { requireLakehouse, startLakehouse } from './lakehouse-lifecycle.js';
import { endpointsOf, specOf } from './lakehouse-views.js';
import { lakehouseLifecycleStore } from './lakehouse-lifecycle-store.js';
import { requestStart, startsLakehousesHere } from './lakehouse-start-requests.js';

/** A lakehouse by id or by name; 404 naming what was asked for. */
export async function findLakehouse(db: Executor, ref: string): Promise<LakehouseRow> {
  const row = await lakehouseLifecycleStore(db).findByRef(ref);
  if (!row) throw new NotFoundError(`lakehouse ${ref} does not exist`);
  return row;
}

export interface ServingLakehouse {
  row: LakehouseRow;
  endpoints: LakehouseEndpoints;
}

/**
 * A lakehouse a statement can run on now, starting it when it is stopped and auto-start is on (the statement waits
 * for it, up to waitMs). Undefined: still starting after waitMs. A stopped lakehouse without auto-start, one being
 * stopped or deleted, or one whose start failed is a 409 saying so; nothing is changed then. Outside the lakehouses
 * function the start is asked of it (requestStart), which is then waited for the same way.
 */
export async function ensureServing(
  platform: FunctionServices,
  lakehouse: LakehouseRow,
  by: { actor: string; waitMs: number },
): Promise<ServingLakehouse | undefined> {
  let row = lakehouse;
  const serving = (r: LakehouseRow) => (r.state === 'RUNNING' && endpointsOf(r) ? { row: r, endpoints: endpointsOf(r)! } : undefined);
  if (serving(row)) return serving(row);
  if (row.state === 'STOPPED' || row.state === 'FAILED') {
    if (!specOf(row).autoStart) {
      throw new ConflictError(
        `lakehouse ${row.name} is ${row.state.toLowerCase()} and auto-start is off: start it first (POST /api/v1/lakehouses/${row.id}/start)`,
      );
    }
    if (!startsLakehousesHere(platform)) row = await requestStart(platform, row, by.actor);
    else {
      try {
        row = await startLakehouse(platform, row.id, { actor: by.actor, source: 'auto-start' });
      } catch (err) {
        // Someone else started it meanwhile: wait for that start like for our own.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  } else if (row.state === 'STOPPING' || row.state === 'DELETING') {
    throw new ConflictError(`lakehouse ${row.name} is ${row.state.toLowerCase()}: statements can run once it is started again`);
  }
  return waitUntilServing(platform, row.id, by.waitMs);
}

/** Polls the store until the lakehouse serves (its endpoints), fails (409 with why), or the time is up (undefined). */
export async function waitUntilServing(platform: FunctionServices, id: string, waitMs: number): Promise<ServingLakehouse | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const row = await requireLakehouse(platform.store.db, id);
    const endpoints = endpointsOf(row);
    if (row.state === 'RUNNING' && endpoints) return { row, endpoints };
    if (row.state !== 'STARTING')
      throw new ConflictError(`lakehouse ${row.name} is ${row.state.toLowerCase()}${row.state_message ? `: ${row.state_message}` : ''}`);
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
  }
}

/** A statement arrived or ended: the lakehouse is not idle (auto-stop counts from here). */
export async function touchLakehouse(db: Db, id: string): Promise<void> {
  await lakehouseLifecycleStore(db).touch(id);
}
