import type { Static } from '@sinclair/typebox';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../../../../shared/auth/index.js';
import type { Executor, LakehouseRow, SqlStatementRow } from '../../../../shared/db/index.js';
import { ValidationError, type FieldProblem } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import type { OperationInput } from '../../../../shared/http/index.js';
import { findLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import { platformObject } from '../../../../shared/policy/index.js';
import { renderStatement } from '../../domain/parameters.js';
import type { Caller } from '../../execution/executor.js';
import { requireStatement } from '../../execution/statement-end.js';
import type { ExecuteStatementBody } from '../../schemas.js';

type Body = Static<typeof ExecuteStatementBody>;

/** 0s, or 5s to 50s (Databricks' range). */
export function waitSeconds(text: string | undefined): number | FieldProblem {
  const m = /^(\d{1,3})s$/.exec(text ?? '10s');
  const n = m ? Number(m[1]) : NaN;
  if (!m || (n !== 0 && (n < 5 || n > 50)))
    return { in: 'body', field: 'wait_timeout', message: `${JSON.stringify(text)} is not 0s or 5s to 50s (seconds, e.g. "10s")` };
  return n;
}

/** The caller's own credential, which the lakehouse's HiveServer2 checks: the session is the caller's. */
export function callerOf(principal: Principal, headers: IncomingHttpHeaders): Caller {
  const header = headers['authorization'] ?? '';
  const token = /^Bearer[ ]+(\S+)$/i.exec(header.trim())?.[1] ?? '';
  return { username: principal.name, token };
}

/** A statement checked (the wait, the parameters), rendered, and the lakehouse it runs on. */
export interface Submission {
  wait: number;
  sql: string;
  lakehouse: LakehouseRow;
}

async function submission(body: Body, db: Executor): Promise<Submission> {
  const wait = waitSeconds(body.wait_timeout);
  const problems: FieldProblem[] = typeof wait === 'number' ? [] : [wait];
  const rendered = renderStatement(body.statement, body.parameters ?? []);
  if ('problems' in rendered) problems.push(...rendered.problems);
  if (problems.length > 0 || 'problems' in rendered || typeof wait !== 'number') throw new ValidationError(problems);
  return { wait, sql: rendered.sql, lakehouse: await findLakehouse(db, body.lakehouse) };
}

type Reads = { once<T>(name: string, load: () => Promise<T>): Promise<T> };

/** The statement a request submits, checked first (400), then its lakehouse (404), as before the authorization. */
export function submissionOf(request: Reads & { readonly body: Body }, db: Executor): Promise<Submission> {
  return request.once('submission', () => submission(request.body, db));
}

/** The statement a request names (404, also once its result expired). */
export function statementNamed(request: Reads & { readonly params: { id: string } }, db: Executor): Promise<SqlStatementRow> {
  return request.once('statement', () => requireStatement(db, request.params.id));
}

/** Running a statement on a lakehouse: everyone signed in may (the shipped Rego), as far as the control policies go. */
export const executeChecks = async (input: OperationInput<unknown, unknown, Body>, services: FunctionServices) => {
  const { lakehouse } = await submissionOf(input, services.store.db);
  return [{ action: 'sql:statement:execute' as const, resource: platformObject('lakehouses', lakehouse.id), request: { lakehouse: lakehouse.name } }];
};

/** A statement is its submitter's: the control policies are told whose it is. */
export const onStatement = (verb: 'read' | 'cancel') => async (input: OperationInput<{ id: string }, unknown, unknown>, services: FunctionServices) => {
  const row = await statementNamed(input, services.store.db);
  return [{ action: `sql:statement:${verb}` as const, resource: platformObject('sql', 'statements', row.id), request: { owner: row.owner } }];
};
