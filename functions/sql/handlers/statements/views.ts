import type { Static } from '@sinclair/typebox';
import type { Executor, SqlStatementChunkRow, SqlStatementRow } from '../../../../shared/db/index.js';
import { RawJson } from '../../../../shared/json/index.js';
import { toArrowStream, toCsv, type ResultColumn, type Row } from '../../domain/result-formats.js';
import type { HistoryEntry } from '../../schemas.js';
import { statementStore } from '../../store/statement-store.js';

export const chunkLink = (id: string, index: number) => `/api/v1/sql/statements/${id}/result/chunks/${index}`;

export function statusOf(row: SqlStatementRow) {
  return {
    state: row.state,
    ...(row.state === 'FAILED' && row.error_message
      ? { error: { error_code: row.error_code ?? 'SQL_ERROR', message: row.error_message, ...(row.sql_state ? { sql_state: row.sql_state } : {}) } }
      : {}),
  };
}

/** A chunk's place in the result, and where the next one is. */
function chunkData(row: SqlStatementRow, chunk: Pick<SqlStatementChunkRow, 'chunk_index' | 'row_offset' | 'row_count' | 'byte_count'>) {
  const next = chunk.chunk_index + 1 < (row.total_chunk_count ?? 0) ? chunk.chunk_index + 1 : undefined;
  return {
    chunk_index: chunk.chunk_index,
    row_offset: Number(chunk.row_offset),
    row_count: chunk.row_count,
    byte_count: chunk.byte_count,
    ...(next !== undefined ? { next_chunk_index: next, next_chunk_internal_link: chunkLink(row.id, next) } : {}),
  };
}

const columnsOf = (row: SqlStatementRow) => (row.columns ?? []) as unknown as ResultColumn[];
const rowsOf = (chunk: SqlStatementChunkRow | undefined) => (chunk ? (JSON.parse(chunk.rows) as Row[]) : []);

/** A chunk in a format that is not JSON: CSV text (the header in the first chunk only) or an Arrow IPC stream. */
export function encodedChunk(row: SqlStatementRow, chunk: SqlStatementChunkRow | undefined, index: number): { body: Buffer; contentType: string } {
  if (row.format === 'CSV') return { body: Buffer.from(toCsv(columnsOf(row), rowsOf(chunk), index === 0)), contentType: 'text/csv; charset=utf-8' };
  return { body: Buffer.from(toArrowStream(columnsOf(row), rowsOf(chunk))), contentType: 'application/vnd.apache.arrow.stream' };
}

/**
 * A JSON_ARRAY chunk as the API serves it. The rows are stored as JSON text already and go out as they are, spliced
 * into the answer, instead of being parsed and written again.
 */
export function jsonChunk(row: SqlStatementRow, chunk: SqlStatementChunkRow | undefined, index: number): string {
  const meta = chunk ? chunkData(row, chunk) : { chunk_index: index, row_offset: 0, row_count: 0, byte_count: 0 };
  const head = JSON.stringify(meta);
  return `${head.slice(0, -1)},"data_array":${chunk?.rows ?? '[]'}}`;
}

/** The statement as the API answers it: status, and for a result its manifest and first chunk (inline). */
export async function statementResponse(db: Executor, row: SqlStatementRow): Promise<RawJson> {
  const base = { statement_id: row.id, status: statusOf(row) };
  if (row.state !== 'SUCCEEDED') return new RawJson(JSON.stringify(base));
  const store = statementStore(db);
  const chunks = await store.chunkInfos(row.id);
  const columns = columnsOf(row);
  const manifest = {
    format: row.format,
    schema: { column_count: columns.length, columns },
    total_chunk_count: row.total_chunk_count ?? 0,
    chunks: chunks.map((c) => ({ chunk_index: c.chunk_index, row_offset: Number(c.row_offset), row_count: c.row_count, byte_count: c.byte_count })),
    total_row_count: Number(row.total_row_count ?? 0),
    total_byte_count: Number(row.total_byte_count ?? 0),
    truncated: row.truncated,
  };
  const first = chunks.length > 0 ? await store.readChunk(row.id, 0) : undefined;
  const head = JSON.stringify({ ...base, manifest });
  if (row.format === 'JSON_ARRAY') return new RawJson(`${head.slice(0, -1)},"result":${jsonChunk(row, first, 0)}}`);
  const meta = first ? chunkData(row, first) : { chunk_index: 0, row_offset: 0, row_count: 0, byte_count: 0 };
  const attachment = encodedChunk(row, first, 0).body.toString('base64');
  return new RawJson(`${head.slice(0, -1)},"result":${JSON.stringify({ ...meta, attachment })}}`);
}

/** A statement as the history lists it. */
export function toHistoryEntry(row: SqlStatementRow): Static<typeof HistoryEntry> {
  const { error } = statusOf(row);
  return {
    statement_id: row.id,
    user: row.owner,
    lakehouse: { id: row.lakehouse_id, name: row.lakehouse_name },
    statement: row.statement,
    state: row.state,
    ...(error ? { error } : {}),
    submitted_at: row.submitted_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
    duration_ms: row.finished_at ? row.finished_at.getTime() - row.submitted_at.getTime() : null,
    rows: row.total_row_count === null ? null : Number(row.total_row_count),
    truncated: row.truncated,
    result_expires_at: row.expires_at?.toISOString() ?? null,
  };
}
