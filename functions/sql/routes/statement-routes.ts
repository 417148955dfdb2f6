import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { executeChecks, onStatement } from '../handlers/statements/access.js';
import { cancelStatementRequest } from '../handlers/statements/cancel.js';
import { executeStatement } from '../handlers/statements/execute.js';
import { statementHistory } from '../handlers/statements/history.js';
import { readChunk } from '../handlers/statements/read-chunk.js';
import { readStatement } from '../handlers/statements/read.js';
import { ChunkParams, ExecuteStatementBody, HistoryPage, HistoryQuery, ResultData, StatementParams, StatementResponse } from '../schemas.js';

const base = '/api/v1/sql/statements';

// A statement's checks look it up (404 first, also once its result expired) and tell the control policies its owner;
// a submission is checked (400) and its lakehouse looked up (404) before it is authorized on the lakehouse.
export const statementRoutes = [
  operation({
    method: 'POST',
    path: base,
    operationId: 'sql.executeStatement',
    tags: ['sql'],
    body: ExecuteStatementBody,
    summary: 'Run a SQL statement on a lakehouse as the caller; waits up to wait_timeout for the result (0s: answers at once).',
    responses: {
      200: { description: 'The statement: its status, and once it SUCCEEDED its manifest and first chunk', schema: StatementResponse },
      409: { description: 'The lakehouse is stopped (auto-start off), stopping or deleted' },
    },
    authorization: { checks: executeChecks },
    mutates: 'in-steps',
    handler: executeStatement,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'sql.getStatement',
    tags: ['sql'],
    params: StatementParams,
    summary: "A statement's status, manifest and first chunk. Only its submitter and admins see it; 404 once its result expired.",
    responses: { 200: { description: 'The statement', schema: StatementResponse } },
    authorization: { checks: onStatement('read') },
    handler: readStatement,
  }),
  operation({
    method: 'POST',
    path: `${base}/:id/cancel`,
    operationId: 'sql.cancelStatement',
    tags: ['sql'],
    params: StatementParams,
    summary:
      'Cancel a statement in progress: CANCELED, its operation cancelled on the lakehouse. A statement that ended already is left as it is (the answer shows its state).',
    responses: { 200: { description: 'The statement', schema: StatementResponse } },
    authorization: { checks: onStatement('cancel') },
    mutates: 'in-steps',
    handler: cancelStatementRequest,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/result/chunks/:index`,
    operationId: 'sql.getResultChunk',
    tags: ['sql'],
    params: ChunkParams,
    summary: "One chunk of a result, in the statement's format: JSON (data_array), text/csv (the header in chunk 0), or an Arrow IPC stream.",
    responses: {
      200: { description: 'The chunk', schema: ResultData },
      404: { description: 'No such chunk, or the result expired' },
      409: { description: 'The statement has not succeeded (yet)' },
    },
    authorization: { checks: onStatement('read') },
    handler: readChunk,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/sql/history',
    operationId: 'sql.history',
    tags: ['sql'],
    query: HistoryQuery,
    summary:
      'Statements newest first: who ran what on which lakehouse, its state, duration and rows. Members see their own; filters by lakehouse, user, state and submission time.',
    responses: { 200: { description: 'A page of statements', schema: HistoryPage } },
    authorization: { action: 'sql:statement:list', resource: () => platformObject('sql', 'statements'), request: () => ({}) },
    handler: statementHistory,
  }),
];
