import { Type } from '@sinclair/typebox';
import type { Config } from '../config/index.js';
import type { MetadataStore } from '../db/index.js';
import { UnavailableError } from '../errors/index.js';
import type { EventType } from '../events/index.js';
import { buildOpenApi, eventCatalog } from './openapi.js';
import { json, type RouteDefinition } from './route.js';
import { operation } from './operation.js';
import type { MountedRoute } from './router.js';
import type { PlatformMetrics } from '../metrics/index.js';

/** What the system routes read of the process: the store they probe, the metrics they expose, the public URL. */
export interface SystemRouteDependencies {
  readonly store: Pick<MetadataStore, 'ping' | 'driver'>;
  readonly metrics: Pick<PlatformMetrics, 'registry'>;
  readonly config: Pick<Config, 'issuer'>;
}

/** Routes every served process has, whatever functions it serves: probes, metrics and the published contracts. */
export function systemRoutes(getRoutes: () => readonly MountedRoute[], events: readonly EventType[], platform: SystemRouteDependencies): RouteDefinition[] {
  let openapi: Record<string, unknown> | undefined;
  let catalog: Record<string, unknown> | undefined;
  return [
    operation({
      method: 'GET',
      path: '/healthz',
      operationId: 'system.healthz',
      authorization: { public: 'a liveness probe: the kubelet sends no credential' },
      summary: 'Liveness: the process is up.',
      tags: ['system'],
      audit: false,
      responses: { 200: { description: 'Up', schema: Type.Object({ status: Type.Literal('ok') }) } },
      handler: async () => json(200, { status: 'ok' }),
    }),
    operation({
      method: 'GET',
      path: '/readyz',
      operationId: 'system.readyz',
      authorization: { public: 'a readiness probe: the kubelet sends no credential' },
      summary: 'Readiness: the metadata store answers.',
      tags: ['system'],
      audit: false,
      responses: { 200: { description: 'Ready', schema: Type.Object({ status: Type.Literal('ready'), database: Type.String() }) } },
      handler: async () => {
        try {
          await platform.store.ping();
        } catch (err) {
          throw new UnavailableError('the metadata store is not reachable', { cause: err });
        }
        return json(200, { status: 'ready', database: platform.store.driver });
      },
    }),
    operation({
      method: 'GET',
      path: '/metrics',
      operationId: 'system.metrics',
      authorization: { public: 'Prometheus scrapes without a credential; the metrics name no tenant data' },
      summary: 'Prometheus metrics.',
      tags: ['system'],
      audit: false,
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain; version=0.0.4' } },
      handler: async () => {
        const registry = platform.metrics.registry;
        return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
      },
    }),
    operation({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'system.openapi',
      authorization: { public: 'the published API contract, which clients read before they hold a credential' },
      summary: 'OpenAPI 3.1 document of this API, generated from the route schemas.',
      tags: ['system'],
      audit: false,
      responses: { 200: { description: 'OpenAPI 3.1 document' } },
      handler: async () => json(200, (openapi ??= buildOpenApi(getRoutes(), events, platform.config.issuer))),
    }),
    operation({
      method: 'GET',
      path: '/cloudevents.json',
      operationId: 'system.cloudevents',
      authorization: { public: 'the published event contract, as public as the OpenAPI document' },
      summary: 'The CloudEvent types published and their data schemas.',
      tags: ['system'],
      audit: false,
      responses: { 200: { description: 'Event catalog' } },
      handler: async () => json(200, (catalog ??= eventCatalog(events))),
    }),
  ];
}
