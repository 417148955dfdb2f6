import { randomUUID } from 'node:crypto';
import { LakeplaneError, OAuthError, ValidationError, type FieldProblem } from './errors.js';

/** RFC 9457 problem details, the one wire shape of platform API errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errorId?: string;
  errors?: readonly FieldProblem[];
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  contentType: string;
  /** Set when the error was a server fault: the id the client sees and the log carries with the cause. */
  errorId?: string;
}

export const PROBLEM_TYPE_BASE = 'https://lakeplane.dev/problems/';

export type ErrorShape = 'problem' | 'oauth';

/** Maps any thrown value to what the client sees. Server faults reveal nothing but an error id. */
export function renderError(err: unknown, shape: ErrorShape, instance?: string): RenderedError {
  if (err instanceof LakeplaneError) {
    if (shape === 'oauth' && err.status < 500) {
      // OAuth2 clients parse only RFC 6749's shape; input and throttling errors are said in its words.
      const code = err instanceof OAuthError ? err.oauthCode : err.status === 429 ? 'invalid_grant' : err.status === 401 ? 'invalid_client' : 'invalid_request';
      return {
        status: err.status,
        headers: { ...err.headers, 'cache-control': 'no-store', pragma: 'no-cache' },
        contentType: 'application/json',
        body: { error: code, error_description: err.message },
      };
    }
    const problem: Problem = {
      type: PROBLEM_TYPE_BASE + err.code,
      title: err.title,
      status: err.status,
      detail: err.message,
    };
    if (instance) problem.instance = instance;
    if (err instanceof ValidationError) problem.errors = err.errors;
    return { status: err.status, headers: err.headers, contentType: 'application/problem+json', body: problem };
  }
  const errorId = randomUUID();
  const problem: Problem = {
    type: PROBLEM_TYPE_BASE + 'internal',
    title: 'Internal server error',
    status: 500,
    detail: `The server failed to handle the request; quote error id ${errorId} when reporting it.`,
    errorId,
  };
  if (instance) problem.instance = instance;
  return { status: 500, headers: {}, contentType: 'application/problem+json', body: problem, errorId };
}
