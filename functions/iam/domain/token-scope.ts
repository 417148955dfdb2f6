import { isScope, scopeAllows, SCOPES, splitScope } from '../../../shared/auth/index.js';
import { ValidationError } from '../../../shared/errors/index.js';

/**
 * A personal access token's scope: what was asked, from the vocabulary, never wider than the token minting it (a
 * scoped token cannot mint itself an unscoped one). Nothing asked: the minting token's scope.
 */
export function tokenScope(requested: string | undefined, minting: readonly string[] | undefined): string | null {
  const wanted = splitScope(requested);
  const unknown = wanted.filter((s) => !isScope(s));
  if (unknown.length > 0)
    throw new ValidationError([{ in: 'body', field: 'scope', message: `${unknown.join(' ')} is not a scope; scopes are: ${SCOPES.join(' ')}` }]);
  if (wanted.length === 0) return minting ? minting.join(' ') : null;
  if (minting && !wanted.every((w) => scopeAllows(minting, [w]))) {
    throw new ValidationError([
      { in: 'body', field: 'scope', message: `${wanted.join(' ')} exceeds the scope of the token minting it (${minting.join(' ')})` },
    ]);
  }
  return wanted.join(' ');
}
