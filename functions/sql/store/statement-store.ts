import { sql, type Insertable } from 'kysely';
import type { Db, Executor, SqlStatementChunkRow, SqlStatementRow, SqlStatementState, SqlStatementsTable } from '../../../shared/db/index.js';

export const ACTIVE: readonly SqlStatementState[] = ['PENDING', 'RUNNING'];
export const isActive = (s: SqlStatementState) => ACTIVE.includes(s);

export interface Ending {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  error?: { message: string; errorCode?: string | undefined; sqlState?: string | undefined };
  result?: { columns: unknown[]; rows: number; chunks: number; bytes: number; truncated: boolean };
}

export type ChunkInfo = Pick<SqlStatementChunkRow, 'chunk_index' | 'row_offset' | 'row_count' | 'byte_count'>;

export interface HistoryFilter {
  /** Only this owner's (a member sees their own). */
  owner?: string | undefined;
  user?: string | undefined;
  lakehouseId?: string | undefined;
  state?: SqlStatementState | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Keyset: statements before this one, newest first. */
  before?: { t: Date; id: string } | undefined;
  size: number;
}

/** SQL statements (sql_statements) and their results' chunks (sql_statement_chunks). */
export interface StatementStore {
  find(id: string): Promise<SqlStatementRow | undefined>;
  insert(row: Insertable<SqlStatementsTable>): Promise<SqlStatementRow>;
  /** What state it is in now (another process may have ended it). */
  stateOf(id: string): Promise<SqlStatementState | undefined>;
  /** The executing process is alive: a still active statement's heartbeat. */
  heartbeat(id: string): Promise<void>;
  /** RUNNING with its operation on the lakehouse, if it is still PENDING (an end may have won). */
  markRunning(id: string, run: { operationHandle: string; generation: number }): Promise<void>;
  /**
   * Ends a statement still PENDING or RUNNING; the first ending wins. Answers the ended row, or undefined when it had
   * ended already. Its result is kept until `expiresAt`.
   */
  end(id: string, ending: Ending, at: Date, expiresAt: Date): Promise<SqlStatementRow | undefined>;
  insertChunk(chunk: { statementId: string; index: number; rowOffset: number; rowCount: number; byteCount: number; rows: string }): Promise<void>;
  readChunk(id: string, index: number): Promise<SqlStatementChunkRow | undefined>;
  chunkInfos(id: string): Promise<ChunkInfo[]>;
  /** A result's chunks go when its statement did not succeed after all (canceled while its rows were stored). */
  dropChunks(id: string): Promise<void>;
  /** Results past their time: chunks deleted, the statement CLOSED (its history entry stays). */
  expireResults(limit?: number): Promise<number>;
  /** Statements whose process stopped beating: nothing runs them any more. */
  orphaned(staleMs: number): Promise<Array<{ id: string; heartbeat_at: Date; executor: string | null }>>;
  /** Statements newest first, filtered; one more than `size` when there are more. */
  history(filter: HistoryFilter): Promise<SqlStatementRow[]>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function statementStore(db: Executor): StatementStore {
  return {
    async find(id) {
      return db.selectFrom('sql_statements').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insert(row) {
      return db.insertInto('sql_statements').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async stateOf(id) {
      return (await db.selectFrom('sql_statements').select('state').where('id', '=', id).executeTakeFirst())?.state;
    },
    async heartbeat(id) {
      await db.updateTable('sql_statements').set({ heartbeat_at: new Date() }).where('id', '=', id).where('state', 'in', ['PENDING', 'RUNNING']).execute();
    },
    async markRunning(id, { operationHandle, generation }) {
      await db
        .updateTable('sql_statements')
        .set({ state: 'RUNNING', started_at: new Date(), operation_handle: operationHandle, lakehouse_generation: generation })
        .where('id', '=', id)
        .where('state', '=', 'PENDING')
        .execute();
    },
    async end(id, ending, at, expiresAt) {
      return db
        .updateTable('sql_statements')
        .set({
          state: ending.state,
          finished_at: at,
          expires_at: expiresAt,
          error_message: ending.error?.message ?? null,
          error_code: ending.error?.errorCode ?? (ending.error ? 'INTERNAL_ERROR' : null),
          sql_state: ending.error?.sqlState ?? null,
          ...(ending.result
            ? {
                columns: JSON.stringify(ending.result.columns),
                total_row_count: ending.result.rows,
                total_chunk_count: ending.result.chunks,
                total_byte_count: ending.result.bytes,
                truncated: ending.result.truncated,
              }
            : {}),
        })
        .where('id', '=', id)
        .where('state', 'in', ACTIVE)
        .returningAll()
        .executeTakeFirst();
    },
    async insertChunk({ statementId, index, rowOffset, rowCount, byteCount, rows }) {
      await db
        .insertInto('sql_statement_chunks')
        .values({ statement_id: statementId, chunk_index: index, row_offset: rowOffset, row_count: rowCount, byte_count: byteCount, rows })
        .execute();
    },
    async readChunk(id, index) {
      return db.selectFrom('sql_statement_chunks').selectAll().where('statement_id', '=', id).where('chunk_index', '=', index).executeTakeFirst();
    },
    async chunkInfos(id) {
      return db
        .selectFrom('sql_statement_chunks')
        .select(['chunk_index', 'row_offset', 'row_count', 'byte_count'])
        .where('statement_id', '=', id)
        .orderBy('chunk_index')
        .execute();
    },
    async dropChunks(id) {
      await db.deleteFrom('sql_statement_chunks').where('statement_id', '=', id).execute();
    },
    async expireResults(limit = 200) {
      const due = await db
        .selectFrom('sql_statements')
        .select('id')
        .where('state', '<>', 'CLOSED')
        .where('expires_at', '<=', new Date())
        .limit(limit)
        .execute();
      for (const { id } of due) {
        const expire = async (tx: Executor) => {
          await tx.deleteFrom('sql_statement_chunks').where('statement_id', '=', id).execute();
          await tx.updateTable('sql_statements').set({ state: 'CLOSED' }).where('id', '=', id).execute();
        };
        if (db.isTransaction) await expire(db);
        else await (db as Db).transaction().execute(expire);
      }
      return due.length;
    },
    async orphaned(staleMs) {
      return db
        .selectFrom('sql_statements')
        .select(['id', 'heartbeat_at', 'executor'])
        .where('state', 'in', ACTIVE)
        .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleMs / 1000})`)
        .limit(200)
        .execute();
    },
    async history({ owner, user, lakehouseId, state, from, to, before, size }) {
      let query = db.selectFrom('sql_statements').selectAll();
      if (owner !== undefined) query = query.where('owner', '=', owner);
      if (user !== undefined) query = query.where('owner', '=', user);
      if (lakehouseId !== undefined) query = query.where('lakehouse_id', '=', lakehouseId);
      if (state !== undefined) query = query.where('state', '=', state);
      if (from) query = query.where('submitted_at', '>=', new Date(from));
      if (to) query = query.where('submitted_at', '<', new Date(to));
      if (before) {
        const { t, id } = before;
        query = query.where((eb) => eb.or([eb('submitted_at', '<', t), eb.and([eb('submitted_at', '=', t), eb('id', '<', id)])]));
      }
      return query
        .orderBy('submitted_at', 'desc')
        .orderBy('id', 'desc')
        .limit(size + 1)
        .execute();
    },
  };
}
