import { ConflictError, NotFoundError } from '../../../shared/errors/index.js';
import { json, route } from '../../../shared/http/index.js';
import { findLakehouse } from '../../../shared/domains/lakehouses/index.js';
import { listHistory } from '../handlers/history.js';
import { readChunk, requireStatement } from '../handlers/statement-store.js';
import { chunkLink, encodedChunk, jsonChunk, statementResponse } from '../handlers/statement-views.js';
import { authorizeStatement, callerOf, cancelStatement, executeStatement } from '../handlers/statements.js';
import { ChunkParams, ExecuteStatementBody, HistoryPage, HistoryQuery, ResultData, StatementParams, StatementResponse } from '../schemas.js';

const base = '/api/v1/sql/statements';

export const statementRoutes = [
  route({
    method: 'POST', path: base, operationId: 'sql.executeStatement', tags: ['sql'], auth: 'required', body: ExecuteStatementBody,
    summary: 'Run a SQL statement on a lakehouse as the caller; waits up to wait_timeout for the result (0s: answers at once).',
    responses: { 200: { description: 'The statement: its status, and once it SUCCEEDED its manifest and first chunk', schema: StatementResponse }, 409: { description: 'The lakehouse is stopped (auto-start off), stopping or deleted' } },
    handler: async (ctx) => {
      const row = await executeStatement(ctx, ctx.body);
      return json(200, await statementResponse(ctx.platform.store.db, row));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'sql.getStatement', tags: ['sql'], auth: 'required', params: StatementParams,
    summary: 'A statement\'s status, manifest and first chunk. Only its submitter and admins see it; 404 once its result expired.',
    responses: { 200: { description: 'The statement', schema: StatementResponse } },
    handler: async (ctx) => {
      const row = await requireStatement(ctx.platform.store.db, ctx.params.id);
      await authorizeStatement(ctx, 'read', row);
      return json(200, await statementResponse(ctx.platform.store.db, row));
    },
  }),
  route({
    method: 'POST', path: `${base}/:id/cancel`, operationId: 'sql.cancelStatement', tags: ['sql'], auth: 'required', params: StatementParams,
    summary: 'Cancel a statement in progress: CANCELED, its operation cancelled on the lakehouse. A statement that ended already is left as it is (the answer shows its state).',
    responses: { 200: { description: 'The statement', schema: StatementResponse } },
    handler: async (ctx) => {
      const row = await requireStatement(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `sql/statements/${row.id}`;
      await authorizeStatement(ctx, 'cancel', row);
      const after = await cancelStatement(ctx.platform, row, callerOf(ctx));
      return json(200, await statementResponse(ctx.platform.store.db, after));
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/result/chunks/:index`, operationId: 'sql.getResultChunk', tags: ['sql'], auth: 'required', params: ChunkParams,
    summary: 'One chunk of a result, in the statement\'s format: JSON (data_array), text/csv (the header in chunk 0), or an Arrow IPC stream.',
    responses: {
      200: { description: 'The chunk', schema: ResultData },
      404: { description: 'No such chunk, or the result expired' },
      409: { description: 'The statement has not succeeded (yet)' },
    },
    handler: async (ctx) => {
      const row = await requireStatement(ctx.platform.store.db, ctx.params.id);
      await authorizeStatement(ctx, 'read', row);
      if (row.state !== 'SUCCEEDED') throw new ConflictError(`statement ${row.id} is ${row.state}: only a SUCCEEDED statement has a result`);
      const index = Number(ctx.params.index);
      const count = row.total_chunk_count ?? 0;
      const chunk = index < count ? await readChunk(ctx.platform.store.db, row.id, index) : undefined;
      // An empty result still has its chunk 0 (no rows), so every result can be read the same way.
      if (!chunk && !(index === 0 && count === 0)) throw new NotFoundError(`statement ${row.id} has ${count} chunk${count === 1 ? '' : 's'} (0 to ${count - 1}); there is no chunk ${index}`);
      const next = index + 1 < count ? index + 1 : undefined;
      const headers: Record<string, string> = next !== undefined ? { link: `<${chunkLink(row.id, next)}>; rel="next"`, 'x-next-chunk-index': String(next) } : {};
      if (row.format === 'JSON_ARRAY') return { status: 200, body: Buffer.from(jsonChunk(row, chunk, index)), contentType: 'application/json', headers };
      const encoded = encodedChunk(row, chunk, index);
      return { status: 200, body: encoded.body, contentType: encoded.contentType, headers: { ...headers, 'x-row-offset': String(chunk?.row_offset ?? 0), 'x-row-count': String(chunk?.row_count ?? 0) } };
    },
  }),
  route({
    method: 'GET', path: '/api/v1/sql/history', operationId: 'sql.history', tags: ['sql'], auth: 'required', query: HistoryQuery,
    summary: 'Statements newest first: who ran what on which lakehouse, its state, duration and rows. Members see their own; filters by lakehouse, user, state and submission time.',
    responses: { 200: { description: 'A page of statements', schema: HistoryPage } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(principal, 'sql:statement:list', 'sql/statements', {});
      const lakehouse = ctx.query.lakehouse ? await findLakehouse(ctx.platform.store.db, ctx.query.lakehouse) : undefined;
      return json(200, await listHistory(ctx.platform.store.db, ctx.query, principal.isAdmin ? undefined : principal.name, lakehouse?.id));
    },
  }),
];
