import type { FunctionServices } from '../../events/index.js';
import { connect } from 'node:net';
import type { HostPort } from '../../runtime/index.js';
import { moveLakehouse, requireLakehouse } from './lakehouse-lifecycle.js';
import { endpointsOf } from './lakehouse-views.js';

/** Whether something accepts TCP connections there within the time given. */
export function accepts(at: HostPort, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: at.host, port: at.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** STARTING becomes RUNNING, if nothing moved the lakehouse meanwhile (same start, still starting). */
export async function markServing(platform: FunctionServices, id: string, generation: number, message: string): Promise<boolean> {
  return platform.store.db.transaction().execute(async (tx) => {
    const row = await requireLakehouse(tx, id, true).catch(() => undefined);
    if (!row || row.generation !== generation || row.state !== 'STARTING') return false;
    await moveLakehouse(tx, platform, row, 'RUNNING', { source: 'probe', message, set: { last_activity_at: new Date() } });
    return true;
  });
}

const probing = new Set<string>();

/**
 * Waits in the background for a starting lakehouse's endpoints to accept connections (the driver runs minutes before
 * HiveServer2 listens), then marks it RUNNING. One probe per start in a process; the supervisor starts one for a
 * start whose report reached another process, and fails starts that never answer.
 */
export function probeInBackground(platform: FunctionServices, id: string, generation: number, intervalMs = 1000): void {
  const key = `${id}/${generation}`;
  if (probing.has(key)) return;
  probing.add(key);
  const deadline = Date.now() + platform.config.LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS * 1000;
  const step = async (): Promise<void> => {
    try {
      const row = await requireLakehouse(platform.store.db, id).catch(() => undefined);
      const endpoints = row && endpointsOf(row);
      if (!row || !endpoints || row.generation !== generation || row.state !== 'STARTING' || Date.now() > deadline) return void probing.delete(key);
      if ((await accepts(endpoints.hiveServer2)) && (await accepts(endpoints.sparkConnect))) {
        await markServing(
          platform,
          id,
          generation,
          `serving: HiveServer2 at ${endpoints.hiveServer2.host}:${endpoints.hiveServer2.port}, Spark Connect at ${endpoints.sparkConnect.host}:${endpoints.sparkConnect.port}`,
        );
        return void probing.delete(key);
      }
    } catch (err) {
      platform.logger.warn({ err, lakehouse: id }, 'probing a lakehouse failed; trying again');
    }
    setTimeout(() => void step(), intervalMs).unref();
  };
  void step();
}
