import { LakeplaneError, ValidationError } from '../../shared/errors/index.js';
import {
  AlreadyExistsException,
  ConfigValSecurityException,
  InvalidInputException,
  InvalidObjectException,
  InvalidOperationException,
  MetaException,
  NoSuchObjectException,
  UnknownDBException,
  UnknownTableException,
} from './hms/structs.js';
import { DeclaredException, type MethodDef } from './thrift/service.js';
import type { StructDef } from './thrift/schema.js';

/*
 * The metastore's errors are the clients' own exceptions (Hive's MetaException, NoSuchObjectException, ...): a
 * handler throws the one Hive throws, with a message saying what is wrong. This is the one place they are mapped to
 * what a call declares, and the platform's errors (a location outside the warehouse, a storage failure) to them.
 */

const declared = (s: StructDef) => (message: string) => new DeclaredException(s, { message });
export const metaError = declared(MetaException);
export const noSuchObject = declared(NoSuchObjectException);
export const alreadyExists = declared(AlreadyExistsException);
export const invalidObject = declared(InvalidObjectException);
export const invalidOperation = declared(InvalidOperationException);
export const invalidInput = declared(InvalidInputException);
export const configValSecurity = declared(ConfigValSecurityException);

/** When a call does not declare the exception thrown, the one a client reads best in its place. */
const STAND_INS: ReadonlyMap<StructDef, readonly StructDef[]> = new Map([
  [NoSuchObjectException, [UnknownTableException, UnknownDBException, InvalidObjectException, InvalidOperationException, MetaException]],
  [AlreadyExistsException, [InvalidObjectException, InvalidOperationException, MetaException]],
  [InvalidObjectException, [InvalidOperationException, InvalidInputException, MetaException]],
  [InvalidOperationException, [InvalidObjectException, MetaException]],
  [InvalidInputException, [InvalidObjectException, MetaException]],
  [MetaException, [InvalidOperationException, InvalidObjectException]],
]);

function platformErrorAs(err: LakeplaneError): StructDef {
  if (err instanceof ValidationError) return InvalidObjectException;
  switch (err.status) {
    case 404:
      return NoSuchObjectException;
    case 409:
      return err.code === 'already-exists' ? AlreadyExistsException : InvalidOperationException;
    case 400:
    case 422:
      return InvalidObjectException;
    default:
      return MetaException;
  }
}

/**
 * The error a call answers: a declared exception of this call (with the message it had), or the error itself when
 * it is none of ours (then the client gets an internal error, and the log the whole story).
 */
export function asDeclaredBy(def: MethodDef, err: unknown): unknown {
  let wanted: StructDef;
  let message: string;
  if (err instanceof DeclaredException) {
    wanted = err.struct;
    message = String(err.value['message'] ?? '');
  } else if (err instanceof LakeplaneError) {
    wanted = platformErrorAs(err);
    message = err.message;
  } else return err;
  for (const candidate of [wanted, ...(STAND_INS.get(wanted) ?? [])]) {
    if (def.throws.some((t) => t.struct === candidate)) return new DeclaredException(candidate, { message });
  }
  return err instanceof DeclaredException ? new Error(`${err.struct.name}: ${message}`) : err;
}
