import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditTrail } from '../audit/index.js';
import type { Principal } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import {
  ForbiddenError,
  HeaderFieldsTooLargeError,
  LakeplaneError,
  UriTooLongError,
  ValidationError,
  renderError,
  type ErrorShape,
  type FieldProblem,
} from '../errors/index.js';
import type { Dispatcher, FunctionServices } from '../events/index.js';
import { parseJsonLossless, RawJson } from '../json/index.js';
import type { Logger } from '../log/index.js';
import type { PlatformMetrics } from '../metrics/index.js';
import { resourceText, type Authorizer } from '../policy/index.js';
import { compileValidator, findUnstorableText, MAX_HEADER_BYTES, MAX_URL_LENGTH, type Validator } from '../schema/index.js';
import { decodeBody, mediaType, readBody } from './body.js';
import { clientAddress } from './client-address.js';
import { authenticateCaller, checkScope, type CallerAuthenticator } from './credentials.js';
import { idempotentRequest, runOnce } from './idempotency.js';
import { RequestScope } from './request-scope.js';
import type { Check, DeclaredOperation, OperationContext, OperationInput } from './operation.js';
import type { MountedRoute, Router } from './router.js';
import type { Reply, RequestContext, RouteDefinition } from './route.js';
import { sendStream, type StreamBody } from './stream.js';

interface CompiledRoute {
  params: Validator<unknown> | undefined;
  query: Validator<unknown> | undefined;
  body: Validator<unknown> | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!search) return out;
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Refuses text PostgreSQL cannot store (NUL, lone surrogates) in any decoded input, before the route's schema sees it:
 * one check for every route, so no handler has to remember it.
 */
function storable<T>(value: T, part: FieldProblem['in']): T {
  const problems = findUnstorableText(value, part);
  if (problems.length > 0) throw new ValidationError(problems);
  return value;
}

/**
 * A URL or headers past the bounds every route is held to. Node's parser takes more (HTTP_PARSER_MAX_HEADER_BYTES),
 * so these are answered here, in the route's error shape, rather than by Node's bare 431.
 */
function oversizedRequest(req: IncomingMessage, rawUrl: string): UriTooLongError | HeaderFieldsTooLargeError | undefined {
  if (rawUrl.length > MAX_URL_LENGTH) return new UriTooLongError(`the URL is ${rawUrl.length} bytes long; at most ${MAX_URL_LENGTH} are served`);
  let bytes = 0;
  for (const field of req.rawHeaders) bytes += field.length + 2;
  if (bytes > MAX_HEADER_BYTES)
    return new HeaderFieldsTooLargeError(`the request's headers are ${bytes} bytes together; at most ${MAX_HEADER_BYTES} are served`);
  return undefined;
}

const UNICODE_ESCAPE = Buffer.from('\\u');
/**
 * Past this size a body's decoding, text check and validation each take their own event-loop turn: together they are
 * tens of milliseconds for a 1 MB body, and other requests (a /healthz probe) must not queue behind all of them.
 */
const LARGE_BODY_BYTES = 64 * 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown, contentType: string | undefined, headOnly: boolean): void {
  if (res.headersSent) return;
  let payload: string | Buffer | undefined;
  if (body !== undefined && status !== 204 && status !== 304) {
    payload = Buffer.isBuffer(body)
      ? body
      : body instanceof RawJson
        ? body.text
        : typeof body === 'string' && contentType && !contentType.includes('json')
          ? body
          : JSON.stringify(body);
    headers['content-type'] = contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  res.writeHead(status, headers);
  res.end(headOnly ? undefined : payload);
}

/** What the pipeline itself uses of the process; the services it hands to handlers it does not read. */
export interface RequestPipelineDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Pick<PlatformMetrics, 'requestDuration'>;
  readonly authenticator: CallerAuthenticator;
  readonly audit: Pick<AuditTrail, 'record'>;
  /** Told after a change that may have announced events, so they leave without waiting for the next poll. */
  readonly dispatcher: Pick<Dispatcher, 'nudge'>;
  /** Decides the authorization each operation declares. */
  readonly authorizer: Pick<Authorizer, 'authorize'>;
  /** Where an operation's transaction and its idempotency key go. */
  readonly store: { readonly db: Db };
}

/** The checks an operation's declared authorization asks for this request (none for a public or any-caller route). */
async function checksOf(declared: DeclaredOperation, input: OperationInput<unknown, unknown, unknown>, services: FunctionServices): Promise<readonly Check[]> {
  const a = declared.authorization;
  if ('checks' in a) return a.checks(input, services);
  if (!('action' in a)) return [];
  const resource = await a.resource(input, services);
  return [{ action: a.action, resource, ...(a.request ? { request: a.request(input) } : {}) }];
}

/**
 * An operation from authorization on: the declared checks (the first one's resource is what the audit trail
 * records, unless the route names another), then the handler in the transaction the route asks for, with the
 * request's idempotency key; work put off until the commit runs after it. The request scope is the checks' input
 * and the handler's context both.
 */
async function runOperation(
  platform: RequestPipelineDependencies & FunctionServices,
  route: RouteDefinition,
  declared: DeclaredOperation,
  scope: RequestScope,
): Promise<Reply> {
  // A declared audit resource comes from the input alone: it is recorded even when a lookup the checks make fails.
  const declaredAudit = declared.auditResource?.(scope);
  if (declaredAudit !== undefined) scope.auditResource = declaredAudit;
  if (declared.auditDetail) scope.auditDetail = declared.auditDetail(scope);
  const a = declared.authorization;
  // Public and any-caller routes check nothing: no checks to wait for.
  if (!('public' in a) && !('anyCaller' in a)) {
    const checks = await checksOf(declared, scope, platform);
    if (declaredAudit === undefined && checks[0]) scope.auditResource = resourceText(checks[0].resource);
    for (const check of checks) {
      try {
        await platform.authorizer.authorize(scope.requirePrincipal(), check.action, check.resource, check.request);
      } catch (err) {
        if (check.refusal === undefined || !(err instanceof ForbiddenError)) throw err;
        throw new ForbiddenError(`${err.message}: ${check.refusal}`, err.policyId);
      }
    }
  }

  const keyed = declared.idempotency
    ? idempotentRequest(
        declared.idempotency,
        scope.headers['idempotency-key'],
        scope,
        scope.principal ? `${scope.principal.kind}:${scope.principal.id}` : 'anonymous',
      )
    : undefined;
  const handler = route.handler as unknown as (c: OperationContext<Record<string, string>, Record<string, unknown>, unknown>) => Promise<Reply>;
  scope.operationId = route.operationId;
  const reply = await runOnce(
    platform.store.db,
    declared.idempotency,
    keyed,
    route.errorShape ?? 'problem',
    (transact) => {
      scope.transact = transact;
      if (declared.mutates !== true) return handler(scope);
      return transact((tx) => {
        scope.db = tx;
        scope.openTransaction = tx;
        return handler(scope);
      });
    },
    { input: scope, context: scope },
  );
  // The change is committed: what follows it cannot undo it, so a failure is logged, not answered.
  for (const work of scope.workAfterCommit())
    await Promise.resolve()
      .then(work)
      .catch((err: unknown) => scope.log.error({ err, requestId: scope.requestId }, 'work after a commit failed'));
  return reply;
}

/**
 * The request pipeline every route goes through, in one order: match, authenticate, decode and validate input, run
 * the handler, answer; then one log line, the metrics, and the audit record. Errors become problem+json here and
 * nowhere else.
 */
export function createRequestHandler(platform: RequestPipelineDependencies & FunctionServices, router: Router) {
  const compiled = new Map<RouteDefinition, CompiledRoute>();
  for (const { route } of router.routes) {
    compiled.set(route, {
      params: route.params ? compileValidator(route.params, 'path') : undefined,
      query: route.query ? compileValidator(route.query, 'query') : undefined,
      body: route.body ? compileValidator(route.body, 'body') : undefined,
    });
  }
  const { metrics, config, authenticator, audit } = platform;
  // The request line is made here of known fields, none of them secret, so it skips the logger's redaction (a
  // wildcard walk of every line: ~2% of a loadTable's CPU). Failures keep it: they carry an error object.
  const requestLog = platform.logger.child({}, { redact: [] });
  const fallbackFunction = config.FUNCTION_TARGET ?? 'platform';

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const ip = clientAddress(req, config.trustedProxies);
    let mounted: MountedRoute | undefined;
    let principal: Principal | undefined;
    let status = 500;
    let headOnly = false;
    let scope: RequestScope | undefined;
    let failureDetail: string | undefined;
    let errorForLog: unknown;
    let errorId: string | undefined;
    let answer: { headers: Record<string, string>; body: unknown; contentType: string | undefined; stream?: StreamBody | undefined };

    try {
      const oversized = oversizedRequest(req, rawUrl);
      // An oversized request is still matched when it can be, so its answer takes the route's error shape.
      let match: ReturnType<Router['match']>;
      try {
        match = router.match(method, path);
      } catch (err) {
        throw oversized ?? err;
      }
      mounted = match.mounted;
      headOnly = match.headOnly;
      if (oversized) throw oversized;
      const route = mounted.route;
      const validators = compiled.get(route) as CompiledRoute;

      const rawQuery = storable(parseQuery(q === -1 ? '' : rawUrl.slice(q + 1)), 'query');
      if (route.auth === 'required') {
        principal = await authenticateCaller(authenticator, route, req.headers, rawQuery, config);
        checkScope(principal, mounted.scopes);
      } else if (req.headers.authorization && route.errorShape !== 'oauth') {
        principal = await authenticator.authenticate(req.headers.authorization).catch(() => undefined);
      }

      const rawParams = storable({ ...match.params }, 'path');
      const params = validators.params ? validators.params.parse(rawParams) : rawParams;
      const query = validators.query ? validators.query.parse(rawQuery) : rawQuery;
      let body: unknown;
      const kind = route.bodyKind ?? (route.body ? 'json' : 'none');
      if (kind !== 'none') {
        const raw = await readBody(req, config.LAKEPLANE_MAX_BODY_BYTES);
        const large = raw.length > LARGE_BODY_BYTES;
        let decoded = decodeBody(kind, mediaType(req), raw, route.bodyMediaTypes);
        if (large) await nextTurn();
        // In JSON, NUL and surrogates can only arrive as \u escapes (raw ones are invalid JSON or become U+FFFD):
        // a body without any is not walked.
        if (kind === 'form' || (kind === 'json' && raw.includes(UNICODE_ESCAPE))) decoded = storable(decoded, 'body');
        if (large) await nextTurn();
        body = validators.body ? validators.body.parse(decoded) : decoded;
        // Validated as parsed natively (the schema only asks "is it an integer"), handed on with every digit kept.
        if (kind === 'json' && route.jsonNumbers === 'lossless') body = parseJsonLossless(raw.toString('utf8'));
      }

      scope = new RequestScope(
        requestId,
        platform,
        platform.logger,
        req.headers,
        params as Record<string, string>,
        query as Record<string, unknown>,
        body,
        ip,
        principal,
        platform.store.db,
      );
      const reply: Reply = route.operation
        ? await runOperation(platform, route, route.operation, scope)
        : await (route.handler as (c: RequestContext<Record<string, string>, Record<string, unknown>, unknown>) => Promise<Reply>)(scope);
      status = reply.status;
      answer = { headers: { 'x-request-id': requestId, ...(reply.headers ?? {}) }, body: reply.body, contentType: reply.contentType, stream: reply.stream };
    } catch (err) {
      const shape: ErrorShape = mounted?.route.errorShape ?? 'problem';
      const rendered = renderError(err, shape, path);
      status = rendered.status;
      errorId = rendered.errorId;
      if (!(err instanceof LakeplaneError) || status >= 500) errorForLog = err;
      else failureDetail = err.message;
      // A body we refused to read must not be left in the socket for the next request on the connection.
      const closeAfter: Record<string, string> = status === 413 ? { connection: 'close' } : {};
      answer = { headers: { 'x-request-id': requestId, ...rendered.headers, ...closeAfter }, body: rendered.body, contentType: rendered.contentType };
    }

    // One log line and one observation per request; a streamed answer is logged when it ended.
    const finish = (streamed?: { ended: 'complete' | 'client-gone' | 'failed' }) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const functionName = mounted?.functionName ?? fallbackFunction;
      const routeLabel = mounted?.route.path ?? 'unmatched';
      metrics.requestDuration.observe(functionName, method, routeLabel, status, seconds);
      const line = {
        requestId,
        function: functionName,
        method,
        route: routeLabel,
        path,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        principal: principal ? `${principal.kind}:${principal.name}` : undefined,
        ...(errorId ? { errorId } : {}),
        ...(streamed ? { stream: streamed.ended } : {}),
      };
      if (errorForLog) platform.logger.error({ ...line, err: errorForLog }, 'request failed');
      else requestLog.info(line, 'request');
    };
    const streaming = answer.stream !== undefined && !(headOnly || method === 'HEAD');
    if (!streaming) finish();

    if (mounted) {
      const route = mounted.route;
      const audited = route.audit ?? !SAFE_METHODS.has(method);
      if (audited || status === 401 || status === 403) {
        await audit.record({
          requestId,
          principal,
          function: mounted.functionName,
          action: route.operationId,
          resource: scope?.auditResource ?? path,
          status,
          method,
          detail: scope?.auditDetail ?? failureDetail,
          clientAddress: ip,
        });
      }
    }
    // The audit record is written before the answer leaves, so a client that saw the answer can find its record.
    if (streaming) {
      let ended: 'complete' | 'client-gone' | 'failed' = 'complete';
      await sendStream(req, res, status, answer.headers, answer.contentType ?? 'text/plain; charset=utf-8', answer.stream!, (err) => {
        ended = 'failed';
        errorForLog = err;
      });
      if (ended === 'complete' && res.destroyed && !res.writableFinished) ended = 'client-gone';
      finish({ ended });
      return;
    }
    if (answer.stream) {
      // HEAD: the head only; the writer is told at once that nobody reads, so it releases what it opened.
      const nobody = new AbortController();
      nobody.abort();
      await answer.stream(async () => undefined, nobody.signal).catch(() => undefined);
    }
    send(
      res,
      status,
      answer.headers,
      answer.stream ? undefined : answer.body,
      answer.stream ? (answer.contentType ?? 'text/plain; charset=utf-8') : answer.contentType,
      headOnly || method === 'HEAD',
    );
    if (mounted && (scope?.eventsPublished || (!SAFE_METHODS.has(method) && !mounted.route.readOnly))) platform.dispatcher.nudge();
  };
}
