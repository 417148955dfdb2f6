import { describe, expect, it } from 'vitest';
import { loadAllFunctions } from '../../functions/registry.js';
import type { RouteDefinition } from '../../shared/http/index.js';
import { systemRoutes } from '../../shared/http/system-routes.js';

/**
 * Every route says who may call it (issue 20): an authorization the pipeline checks before the handler runs, or an
 * explicit `public` with the reason no credential is asked. A route without one would run its handler for anybody.
 */
const ACTION = /^[a-z][a-z-]*:[a-z][a-z-]*:[a-z][a-z-]*$/;

function problemsOf(owner: string, route: RouteDefinition): string[] {
  const name = `${owner} ${route.method} ${route.path} (${route.operationId})`;
  const declared = route.operation;
  if (!declared) return [`${name} declares no authorization: declare it with operation({ authorization })`];
  const a = declared.authorization;
  if ('public' in a) return a.public.trim().length >= 20 ? [] : [`${name} is public without saying why`];
  if ('anyCaller' in a) return a.anyCaller.trim().length >= 20 ? [] : [`${name} lets any caller in without saying why`];
  if ('action' in a) return ACTION.test(a.action) ? [] : [`${name} authorizes "${a.action}", not <domain>:<noun>:<verb>`];
  return [];
}

describe('route declarations', () => {
  it('every route declares its authorization, or says why it is public', async () => {
    const problems: string[] = [];
    for (const fn of await loadAllFunctions()) {
      for (const route of fn.routes) problems.push(...problemsOf(fn.name, route));
    }
    const deps = { store: { ping: async () => undefined, driver: 'none' }, metrics: {}, config: { issuer: 'http://x' } } as unknown as Parameters<
      typeof systemRoutes
    >[2];
    for (const route of systemRoutes(() => [], [], deps)) problems.push(...problemsOf('system', route));
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('a public route asks for no credential, and a declared one for one', async () => {
    for (const fn of await loadAllFunctions()) {
      for (const route of fn.routes) {
        if (!route.operation) continue;
        expect(route.auth, `${route.operationId}`).toBe('public' in route.operation.authorization ? 'public' : 'required');
      }
    }
  });
});
