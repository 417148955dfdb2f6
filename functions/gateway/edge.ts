import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../../shared/config/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { Platform } from '../../shared/platform/index.js';

/** What an edge is given when the gateway starts. */
export interface EdgeDependencies {
  readonly config: Config;
  /** The gateway's platform: the shared authenticator, the metadata store, the workload runtime, metrics. */
  readonly platform: Platform;
  readonly logger: Logger;
  /** Where each function is served (the gateway's upstream map). */
  readonly upstreams: ReadonlyMap<string, URL>;
}

/** What the gateway hands an edge with a request it claimed. */
export interface EdgeRequest {
  /** The request's id: the gateway has set X-Request-Id on the response already; forward it upstream. */
  readonly requestId: string;
  /** The client's address, read as shared/http/client-address.ts does (LAKEPLANE_TRUSTED_PROXIES). */
  readonly clientAddress: string | undefined;
}

/**
 * Traffic the gateway serves besides routing the platform API to its functions: the lakehouses' own protocols
 * (functions/gateway/lakehouse-edge: HiveServer2 over HTTP, Spark Connect over gRPC). An edge is asked before the
 * route table, so the paths it claims never reach a function; what it does not claim is routed as usual.
 */
export interface GatewayEdge {
  readonly name: string;
  /** HTTP/1.1 requests this edge answers itself, by path (without the query), e.g. a lakehouse's HiveServer2 httpPath. Called on every request: keep it cheap. */
  claims(path: string): boolean;
  /** Answers a claimed request, streaming as it likes; the gateway logs it when this resolves. */
  handle(req: IncomingMessage, res: ServerResponse, request: EdgeRequest): Promise<void>;
  /**
   * Cleartext HTTP/2 connections (prior knowledge, as gRPC clients such as Spark Connect open them), handed over
   * whole with the preface still unread; HTTP/1.1 connections on the same port are served as before. At most one
   * edge takes them.
   */
  acceptHttp2?(socket: Socket): void;
  /** Called when the gateway stops, after it stopped accepting connections. */
  close?(): Promise<void>;
}
