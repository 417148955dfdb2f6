export { defineFunction, consumer, ingestPath, type LakeplaneFunction, type EventConsumer, type EventContext, type BatchItem, type BatchKeys, type Worker } from './function.js';
export { route, json, noContent, type RouteDefinition, type RequestContext, type Reply, type HttpMethod } from './route.js';
export { Router, type MountedRoute } from './router.js';
export { createRequestHandler } from './pipeline.js';
export { buildRouter, listen, type ListeningServer } from './server.js';
export { buildOpenApi, eventCatalog } from './openapi.js';
export { encodeCursor, decodeCursor, pageOf, type Cursor } from './pagination.js';
export { ifMatchVersion } from './conditional.js';
export { embeddedTicker } from './periodic-worker.js';
