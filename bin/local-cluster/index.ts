export { startLocalCluster, LocalClusterError, type LocalCluster, type LocalClusterOptions } from './local-cluster.js';
export { LocalBroker, matches, type DeadLetter, type DeliveryAttempt, type LocalBrokerOptions } from './local-broker.js';
export { PingSourceRunner, type PingTick } from './ping-source.js';
export { loadEventing, EventingManifestError, type EventingSetup, type TriggerSpec, type PingSourceSpec, type BrokerSpec } from './eventing-manifests.js';
export { backoffMs, isRetryable } from './delivery-policy.js';
export { parseIsoDuration } from './iso-duration.js';
export { TokenIssuer } from './token-issuer.js';
export { descendants, stillRunning } from './process-tree.js';
