import type { Platform } from '../../../shared/platform/index.js';
import { statementStore } from '../store/statement-store.js';
import { endStatement } from './statement-end.js';
import { sqlRuntime } from './sql-runtime.js';

/**
 * Results past their time are deleted (the statement CLOSED), and statements whose process stopped beating are
 * ended FAILED: nothing runs them any more, and a client polling one must not wait forever.
 */
export async function sweepStatements(platform: Platform): Promise<{ expired: number; orphaned: number }> {
  const store = statementStore(platform.store.db);
  const expired = await store.expireResults();
  const stale = await store.orphaned(platform.config.LAKEPLANE_SQL_HEARTBEAT_MS * 6);
  const mine = sqlRuntime(platform).running;
  let orphaned = 0;
  for (const s of stale) {
    if (mine.has(s.id)) continue;
    const ended = await endStatement(platform, s.id, {
      state: 'FAILED',
      error: {
        message: `the process running this statement stopped (its last sign of life was at ${s.heartbeat_at.toISOString()}); run it again`,
        errorCode: 'EXECUTOR_LOST',
      },
    });
    if (ended) {
      orphaned++;
      await store.dropChunks(s.id);
    }
  }
  return { expired, orphaned };
}

/**
 * When this process stops, the statements it runs end FAILED at once (rather than after the heartbeat timeout), and
 * their operations on the lakehouses are cancelled.
 */
export async function stopRunningStatements(platform: Platform): Promise<void> {
  const runtime = sqlRuntime(platform);
  runtime.stopping = true;
  const running = [...runtime.running.entries()];
  for (const [id, statement] of running) {
    await endStatement(platform, id, {
      state: 'FAILED',
      error: { message: 'the sql function stopped while this statement ran; run it again', errorCode: 'EXECUTOR_LOST' },
    }).catch(() => undefined);
    statement.requestCancel();
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(running.map(([, s]) => s.done)), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
  clearTimeout(timer);
  await runtime.pool.close();
}
