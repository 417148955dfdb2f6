export { functionContext, ContextTable, type FunctionContext, type FunctionContexts } from './function-context.js';
export { defineFunction, ingestPath, type LakeplaneFunction, type Worker, type WorkerDependencies } from './function.js';
// A function's definition in one import: its consumers are defined with the events module's vocabulary.
export { consumer, type EventConsumer, type EventContext, type BatchItem, type BatchKeys } from '../events/index.js';
export { operation, type Authorization, type Check, type Handler, type OperationContext, type OperationInput, type OperationSchemas } from './operation.js';
export { route, json, noContent, type RouteDefinition, type RequestContext, type Reply, type HttpMethod } from './route.js';
export { Router, type MountedRoute } from './router.js';
export { createRequestHandler, type RequestPipelineDependencies } from './pipeline.js';
export { buildRouter, listen, type ListeningServer, type ServedProcess } from './server.js';
export { ensurePortAvailable, PortUnavailableError } from './port-check.js';
export { IngestAuthentication } from './ingest-authentication.js';
export { buildOpenApi, eventCatalog } from './openapi.js';
export { encodeCursor, decodeCursor, pageOf, type Cursor } from './pagination.js';
export { ifMatchVersion } from './conditional.js';
export { periodic, PING_EVENT_TYPE, type PeriodicTask } from './periodic-worker.js';
export { clientAddress, clientAddressFrom } from './client-address.js';
export {
  idempotentRequest,
  runOnce,
  REPLAYED_HEADER,
  type IdempotencyDeclaration,
  type IdempotentRequest,
  type ReplayedTo,
  type Transact,
} from './idempotency.js';
export type { IdempotencyKeyRecord, IdempotencyKeyStore, KeptAnswer } from './idempotency-key-store.js';
export { postgresIdempotencyKeyStore } from './postgres-idempotency-key-store.js';
export { idempotencyKeySweep, sweepIdempotencyKeys, IDEMPOTENCY_KEY_RETENTION_MS } from './idempotency-key-sweep.js';
