import { UnavailableError } from '../errors/index.js';

/**
 * SQLSTATEs that say the server went away or cannot take us now, not that the statement was wrong: class 08
 * (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now: a restart or failover) and 53300
 * (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** Socket-level failures Node reports while the server restarts or a failover moves its address. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * pg reports a connection that ended under a query or a checked-out client with plain Errors (no code): these
 * messages are its only signal, stable across pg 8.x.
 */
const LOST_CONNECTION =
  /^(Connection terminated|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|timeout expired|Connection terminated due to connection timeout)/;

/** True when the error says the metadata store is unreachable for now (retrying later can succeed). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof UnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_ERRORS.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)))) return true;
  return typeof message === 'string' && LOST_CONNECTION.test(message);
}

/** The error a client sees while PostgreSQL is restarting or failing over: 503 with Retry-After, cause kept for the log. */
export function databaseUnavailable(cause: unknown): UnavailableError {
  const error = new UnavailableError('the metadata store is unavailable (restarting or failing over); retry the request', { cause });
  error.headers['retry-after'] = '1';
  return error;
}
