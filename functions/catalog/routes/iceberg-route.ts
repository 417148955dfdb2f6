import type { TSchema } from '@sinclair/typebox';
import type { Principal } from '../../../shared/auth/index.js';
import { route, type RouteDefinition } from '../../../shared/http/index.js';
import type { Actor } from '../handlers/tables.js';

/** Every Iceberg REST route is served below /iceberg: a client's catalog uri is http://HOST:PORT/iceberg. */
export const ICEBERG_BASE = '/iceberg';

/**
 * An Iceberg REST route: errors in Iceberg's ErrorModel, 64-bit integers kept exact in bodies (a route whose body
 * holds no number may say 'native' and skip the second, lossless parse), a credential required (the deprecated
 * token route opts out).
 */
export function icebergRoute<PS extends TSchema | undefined = undefined, QS extends TSchema | undefined = undefined, BS extends TSchema | undefined = undefined>(
  def: Omit<RouteDefinition<PS, QS, BS>, 'auth' | 'path'> & { path: string; auth?: 'public' | 'required' },
): RouteDefinition {
  return route<PS, QS, BS>({
    ...def,
    path: ICEBERG_BASE + def.path,
    auth: def.auth ?? 'required',
    errorShape: def.errorShape ?? 'iceberg',
    jsonNumbers: def.jsonNumbers ?? 'lossless',
    tags: def.tags ?? ['iceberg'],
  } as RouteDefinition<PS, QS, BS>);
}

export function actorOf(principal: Principal): Actor {
  return { name: `${principal.kind}:${principal.name}` };
}

export const ICEBERG_RESPONSE = { description: 'As the Apache Iceberg REST Catalog spec (rest-catalog-open-api.yaml) defines it.' };
