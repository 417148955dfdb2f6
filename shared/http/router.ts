import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { MethodNotAllowedError, NotFoundError, ValidationError } from '../errors/index.js';
import type { HttpMethod, RouteDefinition } from './route.js';
import { MAX_URL_LENGTH } from '../schema/index.js';
import { routeScopes, type RouteScopes } from './route-scope.js';

export interface MountedRoute {
  /** The function that owns the route; metrics and audit are labelled with it. */
  readonly functionName: string;
  readonly route: RouteDefinition;
  /** What a scoped token needs here, resolved once when the route is mounted. */
  readonly scopes: RouteScopes;
}

const METHODS: HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface Match {
  mounted: MountedRoute;
  params: Record<string, string | undefined>;
  /** True when a HEAD request is answered by the GET route without its body. */
  headOnly: boolean;
}

/** Method + path to route, on find-my-way (Fastify's radix-tree router). Unknown paths are 404, known ones with the wrong method 405. */
export class Router {
  // maxParamLength: find-my-way's default (100 decoded characters) turned a valid 255-character table name, or a
  // namespace of several long levels, into a 404 for a route that exists. A parameter may be as long as the URL the
  // pipeline serves (a longer URL is a 414); each route's own validation then names a parameter that is too long.
  private readonly tree = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: true, maxParamLength: MAX_URL_LENGTH });
  readonly routes: MountedRoute[] = [];

  mount(functionName: string, route: RouteDefinition): void {
    const mounted: MountedRoute = { functionName, route, scopes: routeScopes(functionName, route) };
    // find-my-way throws on a duplicate method+path, which is what we want: two functions must not share a route.
    this.tree.on(route.method as HTTPMethod, route.path, () => undefined, mounted);
    this.routes.push(mounted);
  }

  match(method: string, path: string): Match {
    const found = this.tree.find(method as HTTPMethod, path);
    if (found) return { mounted: found.store as MountedRoute, params: found.params, headOnly: false };
    if (method === 'HEAD') {
      const get = this.tree.find('GET', path);
      if (get) return { mounted: get.store as MountedRoute, params: get.params, headOnly: true };
    }
    const allowed = METHODS.filter((m) => this.tree.find(m as HTTPMethod, path) !== null);
    if (allowed.length > 0) {
      if (allowed.includes('GET') && !allowed.includes('HEAD')) allowed.push('HEAD');
      throw new MethodNotAllowedError(method, allowed);
    }
    // find-my-way matches no route when a parameter is not decodable: say so, rather than that the route is unknown.
    if (!decodable(path)) throw new ValidationError([{ in: 'path', field: '', message: 'is not valid percent-encoded UTF-8' }]);
    throw new NotFoundError(`no route for ${method} ${path}`);
  }
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
