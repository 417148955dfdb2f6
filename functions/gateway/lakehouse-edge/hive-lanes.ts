import { createHash } from 'node:crypto';
import type { HostPort } from '../../../shared/runtime/index.js';
import { HiveBinaryLane, LaneRefusedError } from './hive-binary-lane.js';

/**
 * Opens a lane, trying again a few times when the driver drops the connection before answering the handshake: a
 * driver that has just started listening (the moment a lakehouse turns RUNNING, and the moment an auto-started
 * connection goes on) can close the first connections it accepts. A refused credential is not tried again.
 */
async function openLane(at: HostPort, user: string, password: string, timeoutMs: number): Promise<HiveBinaryLane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await HiveBinaryLane.open(at, user, password, timeoutMs);
    } catch (err) {
      if (err instanceof LaneRefusedError || attempt >= 4) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/**
 * HiveServer2's HTTP transport has no connection: every call is a POST with the credential. The lakehouse's driver
 * speaks the binary transport, which authenticates a connection once and ties sessions to it (a session opened on a
 * connection is closed with it, and the engine binds a session to the user who authenticated the connection). So
 * calls with the same credential to the same start of a lakehouse share lanes authenticated with that credential: a
 * free one, or a new one up to `maxLanes`, else the call waits for one. A credential's lanes are closed together
 * once none of them carried a call for `idleMs` (the driver's own idle session timeout), never one by one, so a
 * session opened on one lane is not cut while its client is busy on another.
 */
export interface HiveLaneOptions {
  maxLanes: number;
  idleMs: number;
  connectTimeoutMs: number;
}

interface LanePool {
  lanes: HiveBinaryLane[];
  waiting: Array<(lane: HiveBinaryLane | Error) => void>;
  lastUsedAt: number;
  opening: number;
}

export class HiveLanes {
  private readonly pools = new Map<string, LanePool>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: HiveLaneOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.min(30_000, Math.floor(o.idleMs / 2))));
    this.sweeper.unref();
  }

  /** A lane for this credential at this address (a start of a lakehouse); release() it after the call. */
  async acquire(start: string, at: HostPort, user: string, password: string): Promise<HiveBinaryLane> {
    const key = `${start}/${at.host}:${at.port}/${createHash('sha256').update(user).update('\0').update(password).digest('hex')}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = { lanes: [], waiting: [], lastUsedAt: Date.now(), opening: 0 };
      this.pools.set(key, pool);
    }
    pool.lastUsedAt = Date.now();
    pool.lanes = pool.lanes.filter((l) => l.usable);
    const free = pool.lanes.find((l) => !l.busy);
    if (free) {
      free.busy = true;
      return free;
    }
    if (pool.lanes.length + pool.opening < this.o.maxLanes) {
      pool.opening += 1;
      try {
        const lane = await openLane(at, user, password, this.o.connectTimeoutMs);
        lane.busy = true;
        pool.lanes.push(lane);
        return lane;
      } finally {
        pool.opening -= 1;
      }
    }
    const waiting = pool.waiting;
    const got = await new Promise<HiveBinaryLane | Error>((resolve) => waiting.push(resolve));
    if (got instanceof Error) throw got;
    return got;
  }

  /** The call is over: the next waiting call takes the lane, or it waits for one. */
  release(lane: HiveBinaryLane): void {
    for (const pool of this.pools.values()) {
      if (!pool.lanes.includes(lane)) continue;
      pool.lastUsedAt = Date.now();
      if (!lane.usable) {
        pool.lanes = pool.lanes.filter((l) => l !== lane);
        // A waiting call opens its own lane rather than waiting on one that will not come back.
        pool.waiting.shift()?.(new Error('the connection to HiveServer2 was lost; try again'));
        return;
      }
      const next = pool.waiting.shift();
      if (next) next(lane);
      else lane.busy = false;
      return;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, pool] of this.pools) {
      pool.lanes = pool.lanes.filter((l) => l.usable);
      const busy = pool.lanes.some((l) => l.busy) || pool.waiting.length > 0 || pool.opening > 0;
      if (busy) continue;
      if (pool.lanes.length === 0 || now - pool.lastUsedAt > this.o.idleMs) {
        for (const lane of pool.lanes) lane.close(new Error('idle'));
        this.pools.delete(key);
      }
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const pool of this.pools.values()) {
      for (const lane of pool.lanes) lane.close(new Error('the edge is stopping'));
      for (const w of pool.waiting) w(new Error('the edge is stopping'));
    }
    this.pools.clear();
  }
}
