import { BadRequestError, ConflictError, NotFoundError } from './errors.js';

/**
 * The catalog's own failures. Each is a platform error with its HTTP status; what sets them apart is the Iceberg
 * exception type clients act on (a 404 for a missing namespace must not read as a missing table).
 */
export class NoSuchWarehouseError extends NotFoundError {
  override get icebergType() {
    return 'NoSuchWarehouseException';
  }
}

export class NoSuchNamespaceError extends NotFoundError {
  override get icebergType() {
    return 'NoSuchNamespaceException';
  }
}

export class NoSuchTableError extends NotFoundError {
  override get icebergType() {
    return 'NoSuchTableException';
  }
}

export class NoSuchViewError extends NotFoundError {
  override get icebergType() {
    return 'NoSuchViewException';
  }
}

export class NamespaceNotEmptyError extends ConflictError {
  override get icebergType() {
    return 'NamespaceNotEmptyException';
  }
}

/** A requirement did not hold against the current metadata: the client refreshes and retries. */
export class CommitFailedError extends ConflictError {
  override get icebergType() {
    return 'CommitFailedException';
  }
}

/**
 * A metadata update that cannot apply (unknown schema id, a downgrade...). Iceberg's builders throw
 * IllegalArgumentException for these, and Java clients show such a 400's message as it is.
 */
export class InvalidMetadataUpdateError extends BadRequestError {
  override get icebergType() {
    return 'IllegalArgumentException';
  }
}
