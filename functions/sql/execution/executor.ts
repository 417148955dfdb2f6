import type { SqlStatementRow } from '../../../shared/db/index.js';
import { touchLakehouse, waitUntilServing } from '../../../shared/domains/lakehouses/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { LakehouseEndpoints } from '../../../shared/runtime/index.js';
import { engineMessage } from '../domain/engine-message.js';
import { resultColumn, type ResultColumn } from '../domain/result-formats.js';
import { ConnectionError, EngineError, encodeHandle, type HiveConnection, type OperationHandle } from '../engine/hive-connection.js';
import { decodeRows, type Row } from '../engine/row-decoder.js';
import type { Lease } from './session-pool.js';
import { statementStore, type Ending } from '../store/statement-store.js';
import { endStatement } from './statement-end.js';
import { sqlRuntime } from './sql-runtime.js';

export interface Caller {
  username: string;
  token: string;
}

/** What the runner needs beyond the stored row: the rendered SQL, who runs it, and where (if known yet). */
export interface Execution {
  row: SqlStatementRow;
  sql: string;
  caller: Caller;
  endpoints: LakehouseEndpoints | undefined;
  generation: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long to wait before the next GetOperationStatus: every 5 ms for the first half second (most statements of an
 * interactive client end there, and an answer should not wait for a poll), then 25 ms, and 250 ms after 10 s.
 */
function pollDelay(elapsedMs: number): number {
  return elapsedMs < 500 ? 5 : elapsedMs < 10_000 ? 25 : 250;
}

/**
 * Starts a stored PENDING statement in this process; its end is written to the store whatever happens. Answers when
 * the statement has ended in the store (its clean-up, closing the operation, goes on after).
 */
export function runInBackground(platform: Platform, execution: Execution): Promise<void> {
  const runtime = sqlRuntime(platform);
  let cancelRequested = false;
  let onCancel: (() => void) | undefined;
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((r) => (markEnded = r));
  const done = run(platform, execution, {
    cancelled: () => cancelRequested,
    onCancel: (f) => {
      onCancel = f;
    },
    ended: () => markEnded(),
  })
    .catch((err: unknown) => platform.logger.error({ err, statementId: execution.row.id }, 'a SQL statement could not be ended'))
    .finally(() => markEnded());
  const entry = {
    requestCancel: () => {
      cancelRequested = true;
      onCancel?.();
    },
    done: done.finally(() => runtime.running.delete(execution.row.id)),
  };
  runtime.running.set(execution.row.id, entry);
  return ended;
}

interface CancelSignal {
  cancelled(): boolean;
  onCancel(f: () => void): void;
  ended(): void;
}

async function run(platform: Platform, x: Execution, signal: CancelSignal): Promise<void> {
  const { row } = x;
  const db = platform.store.db;
  const store = statementStore(db);
  const log = platform.logger.child({ statementId: row.id, lakehouse: row.lakehouse_name });
  const heartbeat = setInterval(() => {
    void store.heartbeat(row.id).catch(() => undefined);
    void touchLakehouse(db, row.lakehouse_id).catch(() => undefined);
  }, platform.config.LAKEPLANE_SQL_HEARTBEAT_MS);
  heartbeat.unref();
  let lease: Lease | undefined;
  let handle: OperationHandle | undefined;
  let broken = false;
  const end = async (ending: Ending) => {
    const ended = await endStatement(platform, row.id, ending);
    if (!ended || ending.state !== 'SUCCEEDED') await store.dropChunks(row.id);
    signal.ended();
  };
  try {
    void touchLakehouse(db, row.lakehouse_id).catch(() => undefined);
    let endpoints = x.endpoints;
    let generation = x.generation;
    if (!endpoints) {
      // The lakehouse was starting when the statement came: it runs once the lakehouse serves.
      const serving = await waitUntilServing(platform, row.lakehouse_id, platform.config.LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS * 1000).catch(
        (err: unknown) => {
          throw new PlatformFault((err as Error).message);
        },
      );
      if (!serving)
        throw new PlatformFault(`lakehouse ${row.lakehouse_name} did not start within ${platform.config.LAKEPLANE_LAKEHOUSE_START_TIMEOUT_SECONDS} s`);
      endpoints = serving.endpoints;
      generation = serving.row.generation;
      // It may have been cancelled through another process meanwhile: then it is not run at all.
      if ((await store.stateOf(row.id)) !== 'PENDING') return signal.ended();
    }
    if (signal.cancelled()) return await end({ state: 'CANCELED' });
    const key = {
      host: endpoints.hiveServer2.host,
      port: endpoints.hiveServer2.port,
      lakehouseId: row.lakehouse_id,
      generation,
      username: x.caller.username,
      token: x.caller.token,
      catalog: row.catalog ?? undefined,
      schema: row.schema_name ?? undefined,
    };
    const pool = sqlRuntime(platform).pool;
    lease = await pool.acquire(key);
    if (signal.cancelled()) return await end({ state: 'CANCELED' });
    try {
      handle = await lease.connection.execute(x.sql, true);
    } catch (err) {
      // A kept session that died meanwhile is not the statement's fault: once more on a new one.
      if (!(err instanceof ConnectionError && lease.reused)) throw err;
      lease.release(true);
      lease = await pool.acquire(key);
      handle = await lease.connection.execute(x.sql, true);
    }
    const connection = lease.connection;
    const started = handle;
    signal.onCancel(() => void connection.cancel(started).catch((err: unknown) => log.warn({ err }, 'cancelling the operation failed')));
    // Not awaited: the statement's end does not wait for it, and it changes only a PENDING row (an end won).
    void store
      .markRunning(row.id, { operationHandle: encodeHandle(handle), generation })
      .catch((err: unknown) => log.warn({ err }, 'marking the statement RUNNING failed'));
    if (signal.cancelled()) await connection.cancel(handle);
    const status = await waitForOperation(connection, handle, signal);
    if (status === 'CANCELED') return await end({ state: 'CANCELED' });
    if (status instanceof EngineError) return await end({ state: 'FAILED', error: fromEngine(status) });
    const result = handle.hasResultSet
      ? await storeResult(platform, connection, handle, row, signal)
      : { columns: [], rows: 0, chunks: 0, bytes: 0, truncated: false };
    if (result === 'CANCELED') return await end({ state: 'CANCELED' });
    await end({ state: 'SUCCEEDED', result });
  } catch (err) {
    broken = err instanceof ConnectionError;
    if (err instanceof EngineError) await end({ state: 'FAILED', error: fromEngine(err) });
    else if (signal.cancelled()) await end({ state: 'CANCELED' });
    else {
      if (!(err instanceof PlatformFault || err instanceof ConnectionError)) log.error({ err }, 'a SQL statement failed in the platform');
      const message =
        err instanceof PlatformFault || err instanceof ConnectionError ? err.message : 'the platform failed while running the statement (see its logs)';
      await end({ state: 'FAILED', error: { message, errorCode: 'LAKEHOUSE_UNAVAILABLE' } });
    }
  } finally {
    clearInterval(heartbeat);
    if (handle && lease && !broken) await lease.connection.closeOperation(handle);
    lease?.release(broken);
    await touchLakehouse(db, row.lakehouse_id).catch(() => undefined);
  }
}

class PlatformFault extends Error {}

function fromEngine(err: EngineError): NonNullable<Ending['error']> {
  const { message, errorCode } = engineMessage(err.message);
  return { message, errorCode: errorCode ?? 'SQL_ERROR', sqlState: err.sqlState };
}

async function waitForOperation(connection: HiveConnection, handle: OperationHandle, signal: CancelSignal): Promise<'FINISHED' | 'CANCELED' | EngineError> {
  const started = Date.now();
  for (let i = 0; ; i++) {
    const status = await connection.status(handle);
    if (status.state === 'FINISHED') {
      if (typeof status.hasResultSet === 'boolean') handle.hasResultSet = status.hasResultSet;
      return 'FINISHED';
    }
    if (status.state === 'ERROR') return status.error ?? new EngineError('the statement failed without a message', undefined, undefined);
    if (status.state === 'CANCELED' || status.state === 'CLOSED' || status.state === 'TIMEDOUT') return 'CANCELED';
    if (signal.cancelled() && i % 20 === 0) await connection.cancel(handle).catch(() => undefined);
    await sleep(pollDelay(Date.now() - started));
  }
}

/**
 * Fetches the result and stores it in chunks bounded by rows and bytes, honouring row_limit and the result byte cap
 * (truncated: more rows were there). Rows are kept as JSON text, the form the JSON_ARRAY chunks are served in.
 */
async function storeResult(platform: Platform, connection: HiveConnection, handle: OperationHandle, row: SqlStatementRow, signal: CancelSignal) {
  const { LAKEPLANE_SQL_CHUNK_MAX_ROWS: maxRows, LAKEPLANE_SQL_CHUNK_MAX_BYTES: maxBytes, LAKEPLANE_SQL_MAX_RESULT_BYTES: maxResult } = platform.config;
  const descs = await connection.columns(handle);
  const columns: ResultColumn[] = descs.map(resultColumn);
  const limit = row.row_limit === null ? Infinity : Number(row.row_limit);
  let total = 0;
  let bytes = 0;
  let chunks = 0;
  let truncated = false;
  let pending: string[] = [];
  let pendingBytes = 0;
  let offset = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const text = `[${pending.join(',')}]`;
    await statementStore(platform.store.db).insertChunk({
      statementId: row.id,
      index: chunks,
      rowOffset: offset,
      rowCount: pending.length,
      byteCount: pendingBytes,
      rows: text,
    });
    chunks++;
    offset += pending.length;
    pending = [];
    pendingBytes = 0;
  };
  for (;;) {
    if (signal.cancelled()) return 'CANCELED' as const;
    const want = Math.min(maxRows, limit - total);
    const batch: Row[] = want > 0 ? decodeRows(await connection.fetch(handle, want), descs) : [];
    if (want <= 0) {
      // The limit is reached: is there more? One row says.
      truncated = decodeRows(await connection.fetch(handle, 1), descs).length > 0;
      break;
    }
    if (batch.length === 0) break;
    for (const r of batch) {
      const json = JSON.stringify(r);
      const size = Buffer.byteLength(json);
      if (bytes + size > maxResult) {
        truncated = true;
        break;
      }
      if (pending.length >= maxRows || (pending.length > 0 && pendingBytes + size > maxBytes)) await flush();
      pending.push(json);
      pendingBytes += size;
      bytes += size;
      total++;
    }
    if (truncated) break;
  }
  await flush();
  return { columns, rows: total, chunks, bytes, truncated };
}
