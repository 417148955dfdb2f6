export { createLakehouseEdge, type LakehouseEdge, type LakehouseEdgeOptions } from './lakehouse-edge.js';
