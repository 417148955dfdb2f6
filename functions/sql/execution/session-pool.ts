import { createHash } from 'node:crypto';
import { HiveConnection } from '../engine/hive-connection.js';

/** Who a session is opened as, on which lakehouse start, starting in which catalog and schema. */
export interface SessionKey {
  host: string;
  port: number;
  lakehouseId: string;
  generation: number;
  username: string;
  token: string;
  catalog?: string | undefined;
  schema?: string | undefined;
}

export interface Lease {
  connection: HiveConnection;
  /** A session kept from an earlier statement (it may have died meanwhile: the lakehouse restarted, say). */
  reused: boolean;
  /** Back to the pool (or closed, when broken or the pool keeps no idle sessions). */
  release(broken?: boolean): void;
}

const quote = (identifier: string) => `\`${identifier.replace(/`/g, '``')}\``;

/**
 * HiveServer2 sessions of callers, kept a short while between statements so a caller's next statement does not pay
 * for a connection, a SASL handshake and OpenSession. A session belongs to one caller's one credential (the key has
 * the token's hash): it is never lent to another principal, nor to the same one with another token, nor across
 * lakehouse starts (the generation). A busy session is not shared: concurrent statements get sessions of their own.
 * The starting catalog and schema are part of the key, set once when the session opens (SET CATALOG, USE NAMESPACE),
 * so a statement never inherits another one's.
 */
export class SessionPool {
  private readonly idle = new Map<string, Array<{ connection: HiveConnection; timer: NodeJS.Timeout }>>();
  private closed = false;

  constructor(private readonly idleMs: number) {}

  async acquire(key: SessionKey): Promise<Lease> {
    const id = keyOf(key);
    const list = this.idle.get(id);
    while (list && list.length > 0) {
      const entry = list.pop()!;
      clearTimeout(entry.timer);
      if (entry.connection.isOpen) return this.lease(id, entry.connection, true);
    }
    const connection = await HiveConnection.open({ host: key.host, port: key.port, username: key.username, password: key.token });
    try {
      if (key.catalog) await runNow(connection, `SET CATALOG ${quote(key.catalog)}`);
      if (key.schema) await runNow(connection, `USE NAMESPACE ${quote(key.schema)}`);
    } catch (err) {
      await connection.close();
      throw err;
    }
    return this.lease(id, connection, false);
  }

  private lease(id: string, connection: HiveConnection, reused: boolean): Lease {
    let released = false;
    return {
      connection,
      reused,
      release: (broken = false) => {
        if (released) return;
        released = true;
        if (broken || this.closed || this.idleMs === 0 || !connection.isOpen) {
          void connection.close();
          return;
        }
        const timer = setTimeout(() => {
          const list = this.idle.get(id);
          const at = list?.findIndex((e) => e.connection === connection) ?? -1;
          if (list && at >= 0) list.splice(at, 1);
          if (list && list.length === 0) this.idle.delete(id);
          void connection.close();
        }, this.idleMs);
        timer.unref();
        const list = this.idle.get(id) ?? [];
        list.push({ connection, timer });
        this.idle.set(id, list);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((e) => (clearTimeout(e.timer), e.connection.close())));
  }
}

function keyOf(k: SessionKey): string {
  const token = createHash('sha256').update(k.token).digest('hex');
  return JSON.stringify([k.host, k.port, k.lakehouseId, k.generation, k.username, token, k.catalog ?? null, k.schema ?? null]);
}

/** A statement of the session's own set-up, run to its end; its error is the statement's (an unknown catalog, say). */
async function runNow(connection: HiveConnection, statement: string): Promise<void> {
  const handle = await connection.execute(statement, false);
  for (;;) {
    const status = await connection.status(handle);
    if (status.error) throw status.error;
    if (status.state === 'FINISHED') break;
    if (status.state === 'CANCELED' || status.state === 'CLOSED') throw new Error(`${statement} was ${status.state.toLowerCase()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await connection.closeOperation(handle);
}
