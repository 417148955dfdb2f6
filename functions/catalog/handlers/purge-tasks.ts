import type { Tx } from '../../../shared/db/index.js';
import { periodic } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { pathIfInside } from '../storage/warehouse-paths.js';
import { objectStoreFor } from '../storage/warehouse-storage.js';
import { purgeTaskStore, type PurgeTask, type PurgeTaskStore } from '../store/purge-task-store.js';

const SWEEP_EVERY_MS = 30_000;
const BATCH = 10;

/** Records a purge in the drop's own transaction: it exists exactly when the drop committed. */
export async function schedulePurge(tx: Tx, warehouseId: string, objectName: string, locations: string[]): Promise<string | undefined> {
  if (locations.length === 0) return undefined;
  return purgeTaskStore(tx).schedule({ warehouseId, objectName, locations });
}

/** One attempt at a purge; on failure it is rescheduled with backoff (30 s doubling, capped at an hour). */
async function attempt(platform: Platform, tasks: PurgeTaskStore, task: PurgeTask): Promise<boolean> {
  try {
    const summary = await tasks.warehouseOf(task);
    const store = await objectStoreFor(summary);
    const root = pathIfInside(summary, summary.storageLocation);
    for (const location of task.locations) {
      // Checked again at the moment of deleting: a task recorded before the checks existed may name anything.
      const checked = pathIfInside(summary, location);
      if (!checked || !root || checked.contains(root)) {
        platform.logger.warn({ table: task.objectName, location }, 'purge skipped a location that does not resolve inside its warehouse');
        continue;
      }
      const files = await store.deletePrefix(checked);
      platform.logger.info({ table: task.objectName, location, files }, 'purged table files');
    }
    await tasks.complete(task.id);
    return true;
  } catch (err) {
    const delayMs = Math.min(3_600_000, SWEEP_EVERY_MS * 2 ** task.attempts);
    platform.logger.warn({ err, table: task.objectName, attempts: task.attempts + 1 }, 'purge failed; it will be retried');
    await tasks.reschedule(task.id, (err as Error).message, new Date(Date.now() + delayMs));
    return false;
  }
}

/** Runs a purge now (right after its drop committed); whatever fails is left to the sweeper. */
export async function runPurge(platform: Platform, id: string): Promise<boolean> {
  return platform.store.db.transaction().execute(async (tx) => {
    const tasks = purgeTaskStore(tx);
    // Skip a task another replica's sweeper holds; it will finish it.
    const task = await tasks.lockIfFree(id);
    return task ? attempt(platform, tasks, task) : false;
  });
}

/** One pass over the purges that are due; the sweeper calls it every 30 seconds. Returns how many succeeded. */
export async function runDuePurges(platform: Platform): Promise<number> {
  return platform.store.db.transaction().execute(async (tx) => {
    const tasks = purgeTaskStore(tx);
    const due = await tasks.lockDue(new Date(), BATCH);
    let done = 0;
    for (const task of due) if (await attempt(platform, tasks, task)) done++;
    return done;
  });
}

/**
 * Retries owed purges: on every PingSource tick in a cluster (so a catalog scaled to zero still gets to them), every
 * 30 s in embedded mode.
 */
export const purgeSweep = periodic(
  'purge sweep',
  (platform) => runDuePurges(platform),
  () => SWEEP_EVERY_MS,
);
