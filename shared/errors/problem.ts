import { randomUUID } from 'node:crypto';
import { ForbiddenError, InsufficientScopeError, LakeplaneError, OAuthError, ValidationError, type FieldProblem } from './errors.js';

/** RFC 9457 problem details, the one wire shape of platform API errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errorId?: string;
  errors?: readonly FieldProblem[];
  /** 403: the policy that denied. */
  policyId?: string;
  /** 403 insufficient-scope: the scopes of which the token needed one. */
  requiredScopes?: readonly string[];
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

/** problem+json for the platform API, RFC 6749 for the token endpoints, Iceberg's ErrorModel for the REST catalog. */
export type ErrorShape = 'problem' | 'oauth' | 'iceberg';

/** Iceberg's IcebergErrorResponse: {"error": {"message", "type", "code"}}; no stack ever leaves the server. */
function icebergError(status: number, type: string, message: string, headers: Record<string, string>, errorId?: string): RenderedError {
  return { status, headers, contentType: 'application/json', body: { error: { message, type, code: status } }, ...(errorId ? { errorId } : {}) };
}

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
    if (shape === 'iceberg') {
      // The Iceberg spec declares none of 413, 414, 415, 431 and 501: an oversized or mistyped request is a 400
      // BadRequest there, and "not supported" is 406 UnsupportedOperationException. Clients act on the declared codes only.
      const status = err.status === 501 ? 406 : [413, 414, 415, 431].includes(err.status) ? 400 : err.status;
      return icebergError(status, err.icebergType, err.message, err.headers);
    }
    const problem: Problem = {
      type: PROBLEM_TYPE_BASE + err.code,
      title: err.title,
      status: err.status,
      detail: err.message,
    };
    if (instance) problem.instance = instance;
    if (err instanceof ValidationError) problem.errors = err.errors;
    if (err instanceof ForbiddenError && err.policyId) problem.policyId = err.policyId;
    if (err instanceof InsufficientScopeError) problem.requiredScopes = err.accepted;
    return { status: err.status, headers: err.headers, contentType: 'application/problem+json', body: problem };
  }
  const errorId = randomUUID();
  if (shape === 'iceberg')
    return icebergError(500, 'ServerErrorException', `The server failed to handle the request; quote error id ${errorId} when reporting it.`, {}, errorId);
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
