import type { IncomingHttpHeaders } from 'node:http';
import { basicCredentials, scopeAllows, SECRET_PREFIX, type Authenticator, type Principal } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { InsufficientScopeError, UnauthenticatedError } from '../errors/index.js';
import type { RouteDefinition } from './route.js';
import type { RouteScopes } from './route-scope.js';

/** RFC 6750 2.3: the query parameter a bearer token may travel in, where a client can send no header. */
export const ACCESS_TOKEN_PARAM = 'access_token';

/**
 * The caller of a route that requires a credential: a bearer token, or (where the route takes them) a service
 * account's client credentials in HTTP Basic or a token in the query. None at all: undefined if the route's
 * configured opt-in lets anonymous callers through, else 401.
 */
/** What finding the caller needs of the authenticator: a bearer credential, or a service account's client secret. */
export type CallerAuthenticator = Pick<Authenticator, 'authenticate' | 'authenticateClientSecret'>;

export async function authenticateCaller(
  authenticator: CallerAuthenticator,
  route: RouteDefinition,
  headers: IncomingHttpHeaders,
  query: Record<string, string | string[]>,
  config: Config,
): Promise<Principal | undefined> {
  const authorization = headers.authorization;
  const accepts = route.credentials ?? [];
  if (authorization && accepts.includes('basic') && /^Basic /i.test(authorization)) {
    const basic = basicCredentials(authorization);
    if (!basic) throw new UnauthenticatedError('the Authorization header must be "Basic base64(client id:client secret)"', 'invalid_request');
    return authenticator.authenticateClientSecret(basic.secret, basic.id);
  }
  const inQuery = accepts.includes('query') ? query[ACCESS_TOKEN_PARAM] : undefined;
  if (!authorization && inQuery !== undefined) {
    if (typeof inQuery !== 'string' || inQuery.length === 0)
      throw new UnauthenticatedError(`give one ${ACCESS_TOKEN_PARAM} query parameter`, 'invalid_request');
    if (inQuery.startsWith(SECRET_PREFIX.clientSecret)) return authenticator.authenticateClientSecret(inQuery, undefined);
    return authenticator.authenticate(`Bearer ${inQuery}`);
  }
  if (!authorization && route.anonymousIf?.(config)) return undefined;
  return authenticator.authenticate(authorization);
}

/** A scoped token reaches only the routes its scope names (403 insufficient_scope); an unscoped one, all. */
export function checkScope(principal: Principal | undefined, scopes: RouteScopes): void {
  if (!principal?.scopes || scopes === 'public' || scopes === 'any') return;
  if (!scopeAllows(principal.scopes, scopes)) throw new InsufficientScopeError(scopes, principal.scopes);
}
