import { ConflictError } from '../../../shared/errors/index.js';
import type { LakehouseRow } from '../../../shared/db/index.js';
import {
  afterGone,
  cancelWorkload,
  moveLakehouse,
  probeInBackground,
  requireLakehouse,
  specOf,
  stopLakehouse,
  workloadGone,
} from '../../../shared/domains/lakehouses/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { lakehouseStore } from '../store/lakehouse-store.js';

/** A stop or delete whose workload has not reported its end this long is asked again; twice as long, it is taken as gone. */
const STOP_RETRY_MS = 30_000;
const STOP_GIVE_UP_MS = 120_000;
/** The driver's own report of open sessions and running statements counts while it is this fresh. */
const AGENT_REPORT_FRESH_MS = 5 * 60_000;

/**
 * When a running lakehouse last did anything, or undefined when it is busy now (an open session or a running
 * statement). Whether the driver's report is current is a question about the real clock (is it still reporting?),
 * whatever time the idle window is measured at.
 */
export function idleSince(row: LakehouseRow): Date | undefined {
  const fresh = row.agent_reported_at && Date.now() - row.agent_reported_at.getTime() < AGENT_REPORT_FRESH_MS;
  if (fresh && (row.open_sessions > 0 || row.running_statements > 0)) return undefined;
  const last = [row.last_activity_at, row.state_changed_at].filter((d): d is Date => d !== null).map((d) => d.getTime());
  return new Date(Math.max(...last));
}

function isIdlePast(row: LakehouseRow, now: Date): boolean {
  const minutes = specOf(row).autoStopMinutes;
  if (row.state !== 'RUNNING' || minutes <= 0) return false;
  const since = idleSince(row);
  return since !== undefined && now.getTime() - since.getTime() >= minutes * 60_000;
}

/**
 * What keeps lakehouses moving without a request: starts whose driver runs are probed until their endpoints answer,
 * starts that never answer fail, idle lakehouses stop (auto-stop), and stops or deletes whose workload never reported
 * its end are asked again, then taken as done. Runs on every PingSource tick in cluster mode and on a timer in
 * embedded mode; every change re-checks its row under a lock, so several replicas never act twice.
 */
export async function superviseLakehouses(
  platform: Platform,
  now = new Date(),
): Promise<{ probed: number; failed: number; stopped: number; retried: number; given: number }> {
  const db = platform.store.db;
  const out = { probed: 0, failed: 0, stopped: 0, retried: 0, given: 0 };
  const rows = await lakehouseStore(db).supervised();
  const timeoutMs = platform.config.LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS * 1000;
  for (const row of rows) {
    const age = now.getTime() - row.state_changed_at.getTime();
    try {
      if (row.state === 'STARTING') {
        if (age >= timeoutMs) {
          const failed = await db.transaction().execute(async (tx) => {
            const current = await requireLakehouse(tx, row.id, true);
            if (current.state !== 'STARTING' || current.generation !== row.generation) return undefined;
            return moveLakehouse(tx, platform, current, 'FAILED', {
              source: 'supervisor',
              message: `its endpoints did not answer within ${timeoutMs / 1000} s of its start (workload ${current.workload_state ?? 'not reported'})`,
            });
          });
          if (failed) {
            out.failed += 1;
            await cancelWorkload(platform, failed);
          }
        } else if (row.workload_state === 'RUNNING' && platform.config.LAKEPLANE_LAKEHOUSE_READINESS === 'probe') {
          probeInBackground(platform, row.id, row.generation);
          out.probed += 1;
        }
      } else if (row.state === 'RUNNING' && isIdlePast(row, now)) {
        const stopped = await stopLakehouse(platform, row.id, { actor: null, source: 'auto-stop', onlyIf: (current) => isIdlePast(current, now) });
        if (stopped.state !== 'RUNNING') out.stopped += 1;
      } else if ((row.state === 'STOPPING' || row.state === 'DELETING') && age >= STOP_GIVE_UP_MS) {
        const { then } = await db.transaction().execute(async (tx) => {
          const current = await requireLakehouse(tx, row.id, true);
          if (current.state !== row.state || current.generation !== row.generation) return {};
          return workloadGone(tx, platform, current, {
            source: 'supervisor',
            message: `its workload did not report its end within ${STOP_GIVE_UP_MS / 1000} s of the ${row.state === 'DELETING' ? 'delete' : 'stop'}; taken as gone`,
          });
        });
        await afterGone(platform, row, then);
        out.given += 1;
      } else if ((row.state === 'STOPPING' || row.state === 'DELETING') && age >= STOP_RETRY_MS) {
        await cancelWorkload(platform, row);
        out.retried += 1;
      }
    } catch (err) {
      if (!(err instanceof ConflictError)) platform.logger.error({ err, lakehouse: row.name }, 'lakehouse supervision failed');
    }
  }
  return out;
}

/**
 * Embedded mode, at start: the local lakehouse processes of an earlier Lakeplane process ended with it (they are its
 * children), so lakehouses it left starting, running or stopping are STOPPED, and deletions it left are finished.
 * Only workloads this runtime does not supervise are touched.
 */
export async function reconcileLocalLakehouses(platform: Platform): Promise<number> {
  if (platform.runtime.name !== 'local') return 0;
  const db = platform.store.db;
  const rows = await lakehouseStore(db).withWorkloads();
  let n = 0;
  for (const row of rows) {
    if (platform.runtime.supervises(row.workload_name!) !== false) continue;
    const { then } = await db.transaction().execute(async (tx) => {
      const current = await requireLakehouse(tx, row.id, true).catch(() => undefined);
      if (!current || current.generation !== row.generation || !['STARTING', 'RUNNING', 'STOPPING', 'DELETING'].includes(current.state)) return {};
      if (current.state === 'DELETING')
        return workloadGone(tx, platform, current, { source: 'platform', message: 'Lakeplane restarted; its local workload ended with the earlier process' });
      await moveLakehouse(tx, platform, current, 'STOPPED', {
        source: 'platform',
        message: 'Lakeplane restarted: its local Spark driver ended with the earlier process (start it again, or let a statement auto-start it)',
        set: { endpoints: null, restart_pending: false },
      });
      return {};
    });
    await afterGone(platform, row, then);
    n += 1;
  }
  return n;
}
