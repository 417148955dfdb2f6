import { randomUUID } from 'node:crypto';
import { functionContext } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { SessionPool } from './session-pool.js';

/** A statement this process runs: how to ask it to stop, and when it is over. */
export interface RunningStatement {
  requestCancel(): void;
  readonly done: Promise<void>;
}

/**
 * What this process holds for the statements it runs: its id (written as the statements' executor), the callers'
 * sessions, and the statements in flight: the sql function's context, one per process.
 */
export interface SqlRuntime {
  readonly processId: string;
  readonly pool: SessionPool;
  readonly running: Map<string, RunningStatement>;
  stopping: boolean;
}

export const sqlContext = functionContext<SqlRuntime>('sql', (platform) => ({
  processId: randomUUID(),
  pool: new SessionPool(platform.config.LAKEPLANE_SQL_SESSION_IDLE_MS),
  running: new Map(),
  stopping: false,
}));

export function sqlRuntime(platform: Platform): SqlRuntime {
  return platform.contextOf(sqlContext);
}
