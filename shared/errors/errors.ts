/**
 * The one error hierarchy. Every error a handler throws on purpose is a LakeplaneError; it knows its HTTP
 * status and a stable problem type. Anything else that escapes is a server fault: the boundary logs it under an
 * error id and the client only ever sees that id.
 */
export interface FieldProblem {
  /** Which part of the input holds the field. */
  readonly in: 'body' | 'query' | 'path' | 'header' | 'event' | 'config';
  /** Dotted path of the field inside that part, e.g. "email" or "claimMapping.groups"; "" for the whole part. */
  readonly field: string;
  readonly message: string;
}

export abstract class LakeplaneError extends Error {
  abstract readonly status: number;
  /** Short stable slug, becomes the problem `type` URI suffix. */
  abstract readonly code: string;
  abstract readonly title: string;
  /** Extra headers the answer must carry (WWW-Authenticate, Allow, Retry-After). */
  headers: Record<string, string> = {};
  /**
   * The exception type Iceberg REST clients map this error to (ErrorModel.type). Java's ErrorHandlers pick the
   * exception class by status and this name (404 NoSuchTableException vs NoSuchNamespaceException).
   */
  get icebergType(): string {
    return ICEBERG_TYPE_BY_STATUS[this.status] ?? (this.status >= 500 ? 'ServiceFailureException' : 'RESTException');
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

const ICEBERG_TYPE_BY_STATUS: Record<number, string> = {
  400: 'BadRequestException',
  401: 'NotAuthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  405: 'BadRequestException',
  406: 'UnsupportedOperationException',
  409: 'AlreadyExistsException',
  413: 'BadRequestException',
  414: 'BadRequestException',
  415: 'BadRequestException',
  422: 'UnprocessableEntityException',
  431: 'BadRequestException',
  429: 'TooManyRequestsException',
  501: 'UnsupportedOperationException',
  503: 'ServiceUnavailableException',
};

export class ValidationError extends LakeplaneError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = 'Request validation failed';
  constructor(
    readonly errors: readonly FieldProblem[],
    message?: string,
  ) {
    super(message ?? errors.map((e) => `${e.in}${e.field ? '.' + e.field : ''}: ${e.message}`).join('; '));
  }
}

export class MalformedBodyError extends LakeplaneError {
  readonly status = 400;
  readonly code = 'malformed-body';
  readonly title = 'Malformed request body';
}

export class BadRequestError extends LakeplaneError {
  readonly status = 400;
  readonly code = 'bad-request';
  readonly title = 'Bad request';
}

export class UnauthenticatedError extends LakeplaneError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  readonly title = 'Authentication required';
  constructor(
    message: string,
    readonly oauthError: 'invalid_token' | 'invalid_request' | undefined = 'invalid_token',
  ) {
    super(message);
    const parts = ['Bearer realm="lakeplane"'];
    if (oauthError) parts.push(`error="${oauthError}"`, `error_description="${message.replace(/"/g, "'")}"`);
    this.headers['www-authenticate'] = parts.join(', ');
  }
}

export class ForbiddenError extends LakeplaneError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'Forbidden';
  /** The policy whose rule denied the request; absent when no policy allowed it (default deny). */
  constructor(
    message: string,
    readonly policyId?: string,
  ) {
    super(message);
  }
}

/**
 * The token is good but its scope does not reach this route (RFC 6750 3.1 insufficient_scope): the principal may
 * have the right, the token it sent was not given it.
 */
export class InsufficientScopeError extends LakeplaneError {
  readonly status = 403;
  readonly code = 'insufficient-scope';
  readonly title = 'Insufficient scope';
  /** `accepted`: the scopes of which the token needed one; `granted`: the ones it has. */
  constructor(
    readonly accepted: readonly string[],
    granted: readonly string[],
  ) {
    super(`this token's scope (${granted.join(' ')}) does not allow this operation; it needs scope ${accepted.join(' or ')}`);
    this.headers['www-authenticate'] =
      `Bearer realm="lakeplane", error="insufficient_scope", error_description="${this.message}", scope="${accepted.join(' ')}"`;
  }
}

export class NotFoundError extends LakeplaneError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
}

export class MethodNotAllowedError extends LakeplaneError {
  readonly status = 405;
  readonly code = 'method-not-allowed';
  readonly title = 'Method not allowed';
  constructor(
    method: string,
    readonly allowed: readonly string[],
  ) {
    super(`${method} is not allowed here; allowed: ${allowed.join(', ')}`);
    this.headers['allow'] = allowed.join(', ');
  }
}

export class AlreadyExistsError extends LakeplaneError {
  readonly status = 409;
  readonly code = 'already-exists';
  readonly title = 'Already exists';
}

export class ConflictError extends LakeplaneError {
  readonly status = 409;
  readonly code = 'conflict';
  readonly title = 'Conflict';
}

/** The request is well-formed but names something the catalog cannot do (Iceberg answers these with 406). */
export class UnsupportedOperationError extends LakeplaneError {
  readonly status = 406;
  readonly code = 'unsupported-operation';
  readonly title = 'Unsupported operation';
}

/** Well-formed, understood, and still impossible to apply (a key both updated and removed). */
export class UnprocessableEntityError extends LakeplaneError {
  readonly status = 422;
  readonly code = 'unprocessable-entity';
  readonly title = 'Unprocessable entity';
}

export class PayloadTooLargeError extends LakeplaneError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Payload too large';
}

export class UriTooLongError extends LakeplaneError {
  readonly status = 414;
  readonly code = 'uri-too-long';
  readonly title = 'URI too long';
}

export class HeaderFieldsTooLargeError extends LakeplaneError {
  readonly status = 431;
  readonly code = 'header-fields-too-large';
  readonly title = 'Request header fields too large';
}

export class UnsupportedMediaTypeError extends LakeplaneError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

export class TooManyRequestsError extends LakeplaneError {
  readonly status = 429;
  readonly code = 'too-many-requests';
  readonly title = 'Too many requests';
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

export class NotImplementedError extends LakeplaneError {
  readonly status = 501;
  readonly code = 'not-implemented';
  readonly title = 'Not implemented';
}

/** A proxy's upstream failed to answer (the gateway in front of a function). */
export class BadGatewayError extends LakeplaneError {
  readonly status = 502;
  readonly code = 'bad-gateway';
  readonly title = 'Bad gateway';
}

export class UnavailableError extends LakeplaneError {
  readonly status = 503;
  readonly code = 'unavailable';
  readonly title = 'Service unavailable';
}

/**
 * OAuth2 token endpoint errors (RFC 6749 section 5.2) are LakeplaneErrors too, so the boundary stays one place;
 * routes that speak OAuth2 render them in OAuth2's shape instead of problem+json.
 */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

export class OAuthError extends LakeplaneError {
  readonly code: string;
  readonly title = 'OAuth2 error';
  readonly status: number;
  constructor(
    readonly oauthCode: OAuthErrorCode,
    description: string,
    status?: number,
  ) {
    super(description);
    this.code = `oauth-${oauthCode.replace(/_/g, '-')}`;
    this.status = status ?? (oauthCode === 'invalid_client' ? 401 : 400);
    if (oauthCode === 'invalid_client') this.headers['www-authenticate'] = 'Basic realm="lakeplane"';
  }
}
