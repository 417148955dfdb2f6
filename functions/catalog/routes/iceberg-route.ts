import type { TSchema } from '@sinclair/typebox';
import { operation, type RouteDefinition } from '../../../shared/http/index.js';

/** Every Iceberg REST route is served below /iceberg: a client's catalog uri is http://HOST:PORT/iceberg. */
export const ICEBERG_BASE = '/iceberg';

/**
 * An Iceberg REST operation: its path below /iceberg, errors in Iceberg's ErrorModel, 64-bit integers kept exact in
 * bodies (a route whose body holds no number may say 'native' and skip the second, lossless parse), tagged iceberg.
 */
export function icebergRoute<
  PS extends TSchema | undefined = undefined,
  QS extends TSchema | undefined = undefined,
  BS extends TSchema | undefined = undefined,
>(def: Parameters<typeof operation<PS, QS, BS>>[0]): RouteDefinition {
  return operation<PS, QS, BS>({
    ...def,
    path: ICEBERG_BASE + def.path,
    errorShape: def.errorShape ?? 'iceberg',
    jsonNumbers: def.jsonNumbers ?? 'lossless',
    tags: def.tags ?? ['iceberg'],
  });
}

export const ICEBERG_RESPONSE = { description: 'As the Apache Iceberg REST Catalog spec (rest-catalog-open-api.yaml) defines it.' };
