import { Type } from '@sinclair/typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'CLOSED'] as const;
export const FORMATS = ['JSON_ARRAY', 'CSV', 'ARROW_STREAM'] as const;
const State = Type.Union(STATES.map((s) => Type.Literal(s)));

/** Databricks' Statement Execution API request, with a lakehouse where it has a warehouse. */
/** SQL text at most: what Trino takes by default (query.max-length); far past what a person or a BI tool writes. */
export const MAX_STATEMENT_LENGTH = 1_000_000;

export const ExecuteStatementBody = Type.Object(
  {
    statement: Type.String({
      minLength: 1,
      maxLength: MAX_STATEMENT_LENGTH,
      description: 'The SQL text; :name marks a named parameter. At most 1,000,000 characters.',
    }),
    lakehouse: Type.String({ minLength: 1, maxLength: 64, description: 'The lakehouse (id or name) to run it on.' }),
    catalog: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "The catalog the statement starts in (SET CATALOG); default: the lakehouse's default catalog.",
      }),
    ),
    schema: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: "The schema the statement starts in (USE NAMESPACE); default: the catalog's default." }),
    ),
    parameters: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 256 }),
            value: Type.Optional(Nullable(Type.String({ maxLength: 65_536 }))),
            type: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                description: 'A SQL type: STRING (default), BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, VOID.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    ),
    row_limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'At most this many rows are kept; a longer result is marked truncated.' }),
    ),
    wait_timeout: Type.Optional(
      Type.String({ maxLength: 16, default: '10s', description: '0s: answer at once (asynchronous); 5s to 50s: wait so long for the result.' }),
    ),
    on_wait_timeout: Type.Optional(
      Type.Union([Type.Literal('CONTINUE'), Type.Literal('CANCEL')], {
        default: 'CONTINUE',
        description: 'At the wait timeout: CONTINUE (the statement runs on) or CANCEL it.',
      }),
    ),
    format: Type.Optional(
      Type.Union(
        FORMATS.map((f) => Type.Literal(f)),
        { default: 'JSON_ARRAY' },
      ),
    ),
    disposition: Type.Optional(Type.Literal('INLINE', { description: 'Only INLINE: chunks are served by this API.' })),
  },
  { additionalProperties: false },
);

export const StatementParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const ChunkParams = Type.Object({ id: Type.String({ format: 'uuid' }), index: Type.String({ pattern: '^(0|[1-9][0-9]{0,8})$' }) });

const ColumnInfo = Type.Object({
  name: Type.String(),
  type_name: Type.String(),
  type_text: Type.String(),
  position: Type.Integer(),
  type_precision: Type.Optional(Type.Integer()),
  type_scale: Type.Optional(Type.Integer()),
});

const ChunkInfo = Type.Object({ chunk_index: Type.Integer(), row_offset: Type.Integer(), row_count: Type.Integer(), byte_count: Type.Integer() });

export const ResultData = Type.Object({
  chunk_index: Type.Integer(),
  row_offset: Type.Integer(),
  row_count: Type.Integer(),
  byte_count: Type.Integer(),
  next_chunk_index: Type.Optional(Type.Integer()),
  next_chunk_internal_link: Type.Optional(Type.String()),
  data_array: Type.Optional(Type.Array(Type.Array(Nullable(Type.String())), { description: 'JSON_ARRAY: the rows, every value a string or null.' })),
  attachment: Type.Optional(Type.String({ description: 'CSV and ARROW_STREAM: the chunk in that format, base64.' })),
});

export const StatementResponse = Type.Object({
  statement_id: Type.String({ format: 'uuid' }),
  status: Type.Object({
    state: State,
    error: Type.Optional(Type.Object({ error_code: Type.String(), message: Type.String(), sql_state: Type.Optional(Type.String()) })),
  }),
  manifest: Type.Optional(
    Type.Object({
      format: Type.String(),
      schema: Type.Object({ column_count: Type.Integer(), columns: Type.Array(ColumnInfo) }),
      total_chunk_count: Type.Integer(),
      chunks: Type.Array(ChunkInfo),
      total_row_count: Type.Integer(),
      total_byte_count: Type.Integer(),
      truncated: Type.Boolean(),
    }),
  ),
  result: Type.Optional(ResultData),
});

export const HistoryQuery = Type.Object(
  {
    lakehouse: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only statements on this lakehouse (id or name).' })),
    user: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'Only statements of this user or service account (members: only their own anyway).' }),
    ),
    state: Type.Optional(State),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Submitted at or after this time.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Submitted before this time.' })),
    page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    page_token: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const HistoryEntry = Type.Object({
  statement_id: Type.String({ format: 'uuid' }),
  user: Type.String(),
  lakehouse: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
  statement: Type.String(),
  state: State,
  error: Type.Optional(Type.Object({ error_code: Type.String(), message: Type.String(), sql_state: Type.Optional(Type.String()) })),
  submitted_at: Timestamp,
  started_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
  duration_ms: Nullable(Type.Integer({ description: 'From submission to the end.' })),
  rows: Nullable(Type.Integer()),
  truncated: Type.Boolean(),
  result_expires_at: Nullable(Timestamp),
});

export const HistoryPage = Type.Object({ items: Type.Array(HistoryEntry), next_page_token: Nullable(Type.String()) });
