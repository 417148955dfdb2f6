import type { EdgeDependencies, GatewayEdge } from './edge.js';
import { createLakehouseEdge } from './lakehouse-edge/index.js';

/**
 * The edges this gateway serves, asked in this order before the route table: the lakehouse edge
 * (functions/gateway/lakehouse-edge/: HiveServer2 over HTTP and Spark Connect to a lakehouse's driver).
 */
export function gatewayEdges(deps: EdgeDependencies): GatewayEdge[] {
  return [createLakehouseEdge(deps.platform)];
}
