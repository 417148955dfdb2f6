export { LakehouseSpec, LakehousePatch, LakehouseName, RESTART_FIELDS } from './lakehouse-spec.js';
export { lakehouseProblems, isPinnedSetting } from './lakehouse-rules.js';
export { LAKEHOUSE_STATES, WORKLOAD_STATES, checkAction, workloadOutcome, type LakehouseAction } from './lakehouse-states.js';
export {
  ENGINE_CLASSES,
  LAKEHOUSE_LABELS,
  workloadName,
  driverSelector,
  lakehouseApplication,
  defaultCatalogOf,
  type LakehouseLaunch,
} from './lakehouse-workload.js';
export { Lakehouse, ActivityEntry, toLakehouse, toActivityEntry, specOf, restartRequired, endpointsOf } from './lakehouse-views.js';
export {
  requireLakehouse,
  recordActivity,
  moveLakehouse,
  announceChange,
  hashAgentToken,
  agentTokenOf,
  lakehouseClasspath,
  startLakehouse,
  stopLakehouse,
  cancelWorkload,
  workloadGone,
  finishDelete,
  afterGone,
  hasWorkload,
  type LakehouseChangeSource,
  type Step,
} from './lakehouse-lifecycle.js';
export { accepts, markServing, probeInBackground } from './lakehouse-readiness.js';
export { applyWorkloadStatus } from './lakehouse-status.js';
export { findLakehouse, ensureServing, waitUntilServing, touchLakehouse, type ServingLakehouse } from './lakehouse-access.js';
export { LAKEHOUSE_METADATA_HEADER, hiveHttpPath, lakehouseOfHivePath, edgeAddressOf, type EdgeAddress } from './lakehouse-edge-addresses.js';
export { startsLakehousesHere, requestStart, takeStartRequest } from './lakehouse-start-requests.js';
