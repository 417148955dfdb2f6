import type { EdgeDependencies, GatewayEdge } from './edge.js';

/**
 * The edges this gateway serves, asked in this order before the route table. The lakehouse edge
 * (functions/gateway/lakehouse-edge/: HiveServer2 over HTTP and Spark Connect to a lakehouse's driver) plugs in here.
 */
export function gatewayEdges(_deps: EdgeDependencies): GatewayEdge[] {
  return [];
}
