import { UnsupportedOperationError } from '../../../shared/errors/index.js';
import type { Handler } from '../../../shared/http/index.js';

/** A spec endpoint this catalog does not implement: 406 UnsupportedOperationException, saying what to do instead. */
export function unsupported(message: string): Handler {
  return async () => {
    throw new UnsupportedOperationError(message);
  };
}
