import type { TSchema } from '@sinclair/typebox';
import { SCOPES } from '../auth/index.js';
import { PROBLEM_TYPE_BASE } from '../errors/index.js';
import type { EventType } from '../events/index.js';
import { OpenApiSchemas } from './openapi-schema.js';
import type { MountedRoute } from './router.js';

/** Strips TypeBox's symbol keys and turns the schema into plain JSON Schema (2020-12, which OpenAPI 3.1 uses). */
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

const ProblemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', examples: [`${PROBLEM_TYPE_BASE}validation-failed`] },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errorId: { type: 'string', description: 'Set on server faults; quote it when reporting.' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['in', 'field', 'message'],
        properties: { in: { type: 'string', enum: ['body', 'query', 'path', 'header', 'event'] }, field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const OAuthErrorSchema = {
  type: 'object',
  description: 'RFC 6749 section 5.2 error response',
  required: ['error'],
  properties: { error: { type: 'string' }, error_description: { type: 'string' } },
};

const IcebergErrorSchema = {
  type: 'object',
  description: "Iceberg REST's IcebergErrorResponse (ErrorModel)",
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string', examples: ['NoSuchTableException'] },
        code: { type: 'integer', minimum: 400, maximum: 600 },
        stack: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

function cloudEventEnvelope(event: EventType, schemas: OpenApiSchemas): Record<string, unknown> {
  return {
    type: 'object',
    description: event.description,
    required: ['specversion', 'id', 'source', 'type', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string' },
      source: { type: 'string' },
      type: { const: event.type },
      subject: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { const: 'application/json' },
      data: schemas.of(event.schema),
    },
  };
}

/** The event types and their data schemas, as GET /cloudevents.json publishes them. */
export function eventCatalog(events: readonly EventType[]): Record<string, unknown> {
  return {
    specversion: '1.0',
    description: 'CloudEvents published by Lakeplane. Names: io.lakeplane.<domain>.<event>.v<N>; data is JSON.',
    types: Object.fromEntries(events.map((e) => [e.type, { description: e.description, dataschema: plain(e.schema) }])),
  };
}

/** Without a scope a token carries its principal's full rights; each scope narrows it to one route group. */
const SCOPE_DESCRIPTIONS = Object.fromEntries(
  SCOPES.map((s) => [s, s.endsWith(':read') ? `read the ${s.slice(0, -5)} routes (GET, HEAD)` : `the ${s} routes`]),
);

export function buildOpenApi(routes: readonly MountedRoute[], events: readonly EventType[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas = new OpenApiSchemas();
  for (const { functionName, route, scopes } of routes) {
    const openApiPath = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
      const required = new Set((schema as { required?: string[] }).required ?? []);
      for (const [name, prop] of Object.entries(props)) {
        const p = schemas.of(prop);
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          schema: p,
          ...(p['description'] ? { description: p['description'] } : {}),
        });
      }
    }
    // Every template variable is a parameter tools must fill in, whether or not the route declares a schema for it
    // (the 406 Iceberg endpoints declare none): an undeclared one makes the operation unusable to generators.
    const declared = new Set(Object.keys((route.params as { properties?: object } | undefined)?.properties ?? {}));
    for (const [, name] of openApiPath.matchAll(/\{([A-Za-z0-9_]+)\}/g)) {
      if (name && !declared.has(name)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    // Each route's errors in the shape it answers them (renderError): RFC 6749, Iceberg's ErrorModel, or problem+json.
    const errorSchema =
      route.errorShape === 'oauth'
        ? OAuthErrorSchema
        : route.errorShape === 'iceberg'
          ? { $ref: '#/components/schemas/IcebergError' }
          : { $ref: '#/components/schemas/Problem' };
    const errorType = route.errorShape === 'oauth' || route.errorShape === 'iceberg' ? 'application/json' : 'application/problem+json';
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: schemas.of(spec.schema) } } } : {}),
      };
    }
    responses['default'] = { description: 'Error', content: { [errorType]: { schema: errorSchema } } };
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags ?? [functionName],
      'x-lakeplane-function': functionName,
      parameters,
      responses,
      // A scoped token needs one of these scopes here (none listed: any token of the principal).
      security: scopes === 'public' ? [] : [{ bearer: [] }, { oauth2: scopes === 'any' ? [] : [...scopes] }],
    };
    const kind = route.bodyKind ?? (route.body ? 'json' : 'none');
    if (route.body && (kind === 'json' || kind === 'form')) {
      const types = kind === 'form' ? ['application/x-www-form-urlencoded'] : (route.bodyMediaTypes ?? ['application/json']);
      const schema = schemas.of(route.body);
      operation['requestBody'] = { required: true, content: Object.fromEntries(types.map((type) => [type, { schema }])) };
    } else if (kind === 'raw') {
      operation['requestBody'] = {
        required: true,
        content: { 'application/cloudevents+json': { schema: { type: 'object' } }, 'application/json': { schema: {} } },
      };
    }
    (paths[openApiPath] ??= {})[route.method.toLowerCase()] = operation;
  }
  const webhooks = Object.fromEntries(
    events.map((e) => [
      e.type,
      {
        post: {
          summary: e.description,
          requestBody: { content: { 'application/cloudevents+json': { schema: cloudEventEnvelope(e, schemas) } } },
          responses: { '200': { description: 'Accepted' } },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lakeplane platform API',
      version: '1',
      description:
        "Control plane of a self-hosted data lakehouse. Errors are RFC 9457 problem+json (the Iceberg REST routes: Iceberg's ErrorModel; the token endpoints: RFC 6749). Outgoing CloudEvents are listed under `webhooks`.",
    },
    servers: [{ url: serverUrl }],
    paths,
    webhooks,
    components: {
      schemas: { Problem: ProblemSchema, IcebergError: IcebergErrorSchema, ...schemas.components },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A Lakeplane access token (JWT), a personal access token (lpat_...), or a token of a configured OIDC issuer.',
        },
        oauth2: {
          type: 'oauth2',
          flows: {
            password: { tokenUrl: '/api/v1/auth/token', scopes: SCOPE_DESCRIPTIONS },
            clientCredentials: { tokenUrl: '/api/v1/auth/token', scopes: SCOPE_DESCRIPTIONS },
          },
        },
      },
    },
  };
}
