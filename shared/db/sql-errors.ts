import { AlreadyExistsError, ConflictError, NotFoundError, type LakeplaneError } from '../errors/index.js';

/**
 * Whether a write lost to a unique index (SQLSTATE 23505): what a caller that retries or replays a racing write asks,
 * instead of reading driver codes itself. Both drivers (pg and PGlite) carry the SQLSTATE as `code`.
 */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

/** The SQLSTATEs a store expects to see, translated to the platform's errors. No driver text reaches a client. */
export function translateDatabaseError(err: unknown, what: string): LakeplaneError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case '23505':
      return new AlreadyExistsError(`${what} already exists`, { cause: err });
    case '23503':
      return new NotFoundError(`${what} refers to something that does not exist`, { cause: err });
    case '40001':
    case '40P01':
      return new ConflictError(`${what} was changed concurrently; retry the request`, { cause: err });
    default:
      return undefined;
  }
}

/** Runs a store operation and rethrows known database errors as platform errors. */
export async function withDatabaseErrors<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw translateDatabaseError(err, what) ?? err;
  }
}
