import type { Static } from '@sinclair/typebox';
import type { FunctionServices } from '../../events/index.js';
import type { LakehouseRow } from '../../db/index.js';
import { ConflictError, UnavailableError } from '../../errors/index.js';
import { LakehouseEvents } from '../contracts/index.js';
import { startLakehouse } from './lakehouse-lifecycle.js';
import { lakehouseLifecycleStore } from './lakehouse-lifecycle-store.js';
import { specOf } from './lakehouse-views.js';

/** The function that owns lakehouses: their workloads are its own, which it stops, supervises and reconciles. */
const LAKEHOUSES_FUNCTION = 'lakehouses';

/** How long a process that asked for a start waits for the lakehouses function to take it (move the lakehouse on). */
const START_REQUEST_TAKEN_MS = 30_000;

/**
 * Whether this process starts a lakehouse itself: the one that serves the lakehouses function (or every function, as
 * embedded). Any other (the gateway's lakehouse edge, the SQL function, in a cluster) asks it to. With the local
 * runtime a driver is a child of the process that submits it, and only the lakehouses function's own runtime can stop
 * it, end it at idle and clean up its process group; on Kubernetes only its Service has the lakehouse image, the
 * platform URL for drivers and the rights on SparkApplications and Services.
 */
export function startsLakehousesHere(platform: FunctionServices): boolean {
  const target = platform.config.FUNCTION_TARGET;
  return target === undefined || target === LAKEHOUSES_FUNCTION;
}

/**
 * Asks the lakehouses function to start a stopped (or failed) lakehouse, and waits until it has taken the request:
 * the lakehouse moved on from where it was. Answers it as it is then. A 503 when nobody took it in time (the
 * lakehouses function is down: the event waits in the outbox or at the Broker, and a later connection asks again).
 */
export async function requestStart(platform: FunctionServices, row: LakehouseRow, actor: string): Promise<LakehouseRow> {
  await platform.store.db.transaction().execute((tx) =>
    platform.outbox.publish(tx, {
      type: LakehouseEvents.startRequested,
      subject: `lakehouses/${row.id}`,
      data: { lakehouseId: row.id, name: row.name, generation: row.generation, actor },
    }),
  );
  const deadline = Date.now() + START_REQUEST_TAKEN_MS;
  for (;;) {
    const now = await lakehouseLifecycleStore(platform.store.db).find(row.id);
    if (!now || now.generation !== row.generation || now.state !== row.state) return now ?? row;
    if (Date.now() >= deadline) {
      const err = new UnavailableError(
        `lakehouse ${row.name} was asked to start, but the lakehouses function did not take the request within ${START_REQUEST_TAKEN_MS / 1000} s; try again in a moment`,
      );
      err.headers['retry-after'] = '10';
      throw err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The lakehouses function's side of a start request: it starts the lakehouse unless the request is done with (the
 * lakehouse was started, stopped or changed since: another generation or state) or no longer holds (auto-start
 * turned off, deleted). A start already under way is no error.
 */
export async function takeStartRequest(platform: FunctionServices, request: Static<typeof LakehouseEvents.startRequested.schema>): Promise<void> {
  const row = await lakehouseLifecycleStore(platform.store.db).find(request.lakehouseId);
  if (!row || row.generation !== request.generation || !['STOPPED', 'FAILED'].includes(row.state) || !specOf(row).autoStart) return;
  try {
    await startLakehouse(platform, row.id, { actor: request.actor, source: 'auto-start' });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}
