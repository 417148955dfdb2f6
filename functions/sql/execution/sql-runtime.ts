import { randomUUID } from 'node:crypto';
import type { Platform } from '../../../shared/platform/index.js';
import { SessionPool } from './session-pool.js';

/** A statement this process runs: how to ask it to stop, and when it is over. */
export interface RunningStatement {
  requestCancel(): void;
  readonly done: Promise<void>;
}

/**
 * What this process holds for the statements it runs: its id (written as the statements' executor), the callers'
 * sessions, and the statements in flight. One per platform (process); made by the function's worker at start.
 */
export interface SqlRuntime {
  readonly processId: string;
  readonly pool: SessionPool;
  readonly running: Map<string, RunningStatement>;
  stopping: boolean;
}

const runtimes = new WeakMap<Platform, SqlRuntime>();

export function sqlRuntime(platform: Platform): SqlRuntime {
  let runtime = runtimes.get(platform);
  if (!runtime) {
    runtime = { processId: randomUUID(), pool: new SessionPool(platform.config.LAKEPLANE_SQL_SESSION_IDLE_MS), running: new Map(), stopping: false };
    runtimes.set(platform, runtime);
  }
  return runtime;
}
