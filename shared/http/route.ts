import type { IncomingHttpHeaders } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import type { ErrorShape } from '../errors/index.js';
import type { Principal } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { FunctionServices } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { DeclaredOperation } from './operation.js';
import type { StreamBody } from './stream.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a route's body arrives on the wire. */
/** `raw` hands the handler the bytes untouched (CloudEvents in binary or structured mode). */
export type BodyKind = 'json' | 'form' | 'raw' | 'none';

export interface ResponseSpec {
  description: string;
  schema?: TSchema;
  contentType?: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  /** A body written as it comes (chunked; `body` is then unused): the answer to a follow=true log request. */
  stream?: StreamBody;
}

type StaticOr<S, Fallback> = S extends TSchema ? Static<S> : Fallback;

export interface RequestContext<P = Record<string, string>, Q = Record<string, unknown>, B = undefined> {
  readonly requestId: string;
  /** The process's services (shared/platform's Platform); the pipeline hands them on without reading them. */
  readonly platform: FunctionServices;
  readonly log: Logger;
  readonly headers: IncomingHttpHeaders;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The client's address: the socket's peer, or from X-Forwarded-For when that peer is a trusted proxy. */
  readonly ip: string | undefined;
  /** Present on every route that is not public; public routes may still carry one. */
  readonly principal: Principal | undefined;
  /** The caller, for routes that require authentication (throws on public routes without a credential). */
  requirePrincipal(): Principal;
  /** The resource this request acts on, as the audit trail records it. */
  auditResource: string | undefined;
  /** Free text the audit trail keeps beside the outcome (never secrets). */
  auditDetail: string | undefined;
  /** Called by the outbox when a change announced events, so the dispatcher is nudged after the answer. */
  markEventsPublished(): void;
}

export interface RouteDefinition<
  PS extends TSchema | undefined = TSchema | undefined,
  QS extends TSchema | undefined = TSchema | undefined,
  BS extends TSchema | undefined = TSchema | undefined,
> {
  method: HttpMethod;
  /** find-my-way syntax: /api/v1/users/:id */
  path: string;
  operationId: string;
  summary: string;
  tags?: string[];
  /** public: no credential needed (health, discovery, token endpoint). */
  auth: 'public' | 'required';
  /**
   * The token scope a scoped token needs for this route (shared/auth/scopes.ts), or several it may hold any of, or
   * 'any' for routes every token of the principal may call (who am I). Leave it out: the scope of the group the route is
   * mounted in (route-scope.ts), `<group>:read` for GET and HEAD. Set it where a POST only reads (a decision).
   */
  scope?: string | readonly string[] | 'any';
  /**
   * Credentials a route takes besides `Authorization: Bearer`, for engines' policy plugins that cannot send one:
   * 'basic', a service account's client id and secret in HTTP Basic (Ranger's plugins); 'query', a token or a service
   * account's client secret in the `access_token` query parameter (RFC 6750 2.3; Trino's OPA client sends no header).
   */
  credentials?: ReadonlyArray<'basic' | 'query'>;
  /** An explicit, configured opt-in: a request with no credential at all goes to the handler without a principal. */
  anonymousIf?: (config: Config) => boolean;
  params?: PS;
  query?: QS;
  body?: BS;
  bodyKind?: BodyKind;
  /**
   * The media types a JSON body is taken in (the first is the one the route is about: application/merge-patch+json);
   * any other is a 415. Left out: application/json or any other +json type.
   */
  bodyMediaTypes?: readonly string[];
  responses: Record<number, ResponseSpec>;
  /** Which wire shape errors take on this route. */
  errorShape?: ErrorShape;
  /**
   * 'lossless' keeps integers past 2^53 exact (as bigint) in the body the handler gets; the schema still validates
   * the body. Iceberg routes need it for snapshot ids.
   */
  jsonNumbers?: 'native' | 'lossless';
  /** Whether requests are audited; by default every non-GET request is. */
  audit?: boolean;
  /**
   * true for a POST that changes nothing (a signature, a decision): the event dispatcher is not nudged after it.
   * After any other non-GET request it is, in case the request published events; on a POST that is called once
   * per S3 request that would keep the dispatcher polling the outbox back to back.
   */
  readOnly?: boolean;
  /** Set by operation(): the route's authorization, transaction and idempotency, which the pipeline carries out. */
  operation?: DeclaredOperation;
  handler: (ctx: RequestContext<StaticOr<PS, Record<string, string>>, StaticOr<QS, Record<string, unknown>>, StaticOr<BS, undefined>>) => Promise<Reply>;
}

/** Identity helper that infers a route's input types from its schemas. */
export function route<PS extends TSchema | undefined = undefined, QS extends TSchema | undefined = undefined, BS extends TSchema | undefined = undefined>(
  definition: RouteDefinition<PS, QS, BS>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

export function noContent(headers?: Record<string, string>): Reply {
  return headers ? { status: 204, headers } : { status: 204 };
}
