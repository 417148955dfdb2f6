import { sql, type Kysely } from 'kysely';

/**
 * SQL statements run on lakehouses (the statement API) and their results. A statement row is its history entry too:
 * it outlives its result, which is kept in chunks until expires_at and then deleted (the row turns CLOSED). The
 * process running a statement beats heartbeat_at while it does, so a statement whose process died is found and ended;
 * operation_handle is the HiveServer2 operation, so any process can cancel it.
 * A chunk holds its rows as a JSON array of arrays of strings or nulls, whatever format it is served in.
 */
const statements = [
  `create table sql_statements (
    id uuid primary key,
    owner text not null,
    owner_kind text not null,
    lakehouse_id uuid not null,
    lakehouse_name text not null,
    lakehouse_generation integer,
    statement text not null,
    parameters jsonb not null default '[]',
    catalog text,
    schema_name text,
    format text not null check (format in ('JSON_ARRAY', 'CSV', 'ARROW_STREAM')),
    row_limit bigint,
    state text not null check (state in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'CLOSED')),
    error_message text,
    error_code text,
    sql_state text,
    columns jsonb,
    total_row_count bigint,
    total_chunk_count integer,
    total_byte_count bigint,
    truncated boolean not null default false,
    submitted_at timestamptz not null default date_trunc('milliseconds', now()),
    started_at timestamptz,
    finished_at timestamptz,
    expires_at timestamptz,
    operation_handle text,
    executor text not null,
    heartbeat_at timestamptz not null default date_trunc('milliseconds', now())
  )`,
  `create index sql_statements_history_idx on sql_statements (submitted_at desc, id desc)`,
  `create index sql_statements_owner_idx on sql_statements (owner, submitted_at desc, id desc)`,
  `create index sql_statements_active_idx on sql_statements (heartbeat_at) where state in ('PENDING', 'RUNNING')`,
  `create index sql_statements_expiry_idx on sql_statements (expires_at) where state <> 'CLOSED' and expires_at is not null`,
  `create table sql_statement_chunks (
    statement_id uuid not null references sql_statements (id) on delete cascade,
    chunk_index integer not null,
    row_offset bigint not null,
    row_count integer not null,
    byte_count integer not null,
    rows text not null,
    primary key (statement_id, chunk_index)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
