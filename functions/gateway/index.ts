/**
 * The gateway (FUNCTION_TARGET=gateway): the one entry point of cluster mode, in front of every function. It is no
 * function of the embedded set (embedded mode is its own entry point): bin/serve.ts starts it with the definitions of
 * every function, whose route table it routes by.
 */
export { startGateway, gatewayRouteTable, GATEWAY, type RunningGateway } from './server.js';
export { upstreamsOf } from './upstreams.js';
export type { GatewayEdge, EdgeDependencies, EdgeRequest } from './edge.js';
export { createLakehouseEdge, type LakehouseEdge } from './lakehouse-edge/index.js';
