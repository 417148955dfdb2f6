import type { AccessTokens, Authenticator, ExternalIssuers, IdentityStore, SigningKeyRing, ThrottleStore, TokenStore } from '../auth/index.js';
import type { AuditTrail } from '../audit/index.js';
import type { Config } from '../config/index.js';
import type { MetadataStore } from '../db/index.js';
import type { FunctionContexts, IdempotencyKeyStore } from '../http/index.js';
import type { Dispatcher, EventTransport, InProcessTransport, Outbox } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { PlatformMetrics } from '../metrics/index.js';
import type { ControlPolicyAuthorizer, DataPolicyCache, DecisionLog, ObjectTagStore, PolicyAuthorizer } from '../policy/index.js';
import type { EndpointExposure, WorkloadRuntime } from '../runtime/index.js';

/** Everything a handler may use. Built once per process by createPlatform(); the two modes differ only inside it. */
export interface Platform extends FunctionContexts {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: PlatformMetrics;
  readonly store: MetadataStore;
  /** Users, service accounts and groups as authentication reads them (the token endpoint's password grant too). */
  readonly identityStore: IdentityStore;
  /** Personal access tokens, refresh tokens and client secrets, by their hashes. */
  readonly tokenStore: TokenStore;
  /** The token endpoint's failed-credential counters. */
  readonly throttleStore: ThrottleStore;
  readonly keys: SigningKeyRing;
  readonly accessTokens: AccessTokens;
  readonly externalIssuers: ExternalIssuers;
  readonly authenticator: Authenticator;
  readonly authorizer: PolicyAuthorizer;
  /** The data access policies this process decides with; policy writes invalidate it. */
  readonly dataPolicies: DataPolicyCache;
  /** Catalog tags of tables, views and columns, as tag-based data access policies read them. */
  readonly objectTags: ObjectTagStore;
  /** The control policies in force in this process; activations invalidate it. */
  readonly controlPolicies: ControlPolicyAuthorizer;
  /** Audited policy decisions, written in batches. */
  readonly decisionLog: DecisionLog;
  readonly audit: AuditTrail;
  /** Every route's Idempotency-Keys, for the sweeps of the functions that write them (idempotencyKeySweep). */
  readonly idempotencyKeys: IdempotencyKeyStore;
  readonly outbox: Outbox;
  readonly dispatcher: Dispatcher;
  readonly transport: EventTransport;
  /** Set in embedded mode: consumers in this process subscribe here. */
  readonly inProcessTransport: InProcessTransport | undefined;
  /** Where Spark applications run: spark-submit here (embedded) or SparkApplications (cluster). */
  readonly runtime: WorkloadRuntime;
  /** How a lakehouse's endpoints are reached: loopback ports here, a Service in front of the driver in a cluster. */
  readonly endpoints: EndpointExposure;
  /** Where this process serves HTTP, once it listens (lakehouses started here call the platform back on it). */
  readonly serving: { url: string | undefined };
  readonly startedAt: Date;
}

/**
 * The kernel hands function code its services as ctx.platform without importing them (shared/events names the record
 * FunctionServices and leaves it empty); here, above the kernel, the record is declared to be this Platform, so route
 * handlers, consumers and workers see every member while the kernel's own runners read only what they declare.
 */
declare module '../events/index.js' {
  interface FunctionServices extends Platform {}
}
