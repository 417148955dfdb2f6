/**
 * The Apache Iceberg REST catalog spec (../shared/ref/iceberg/rest-catalog-open-api.yaml, OpenAPI 3.1.1) as a test
 * oracle: every answer of our catalog can be checked against the operation, status and schema the spec declares.
 *
 * The spec is written for code generators more than for validators, so its schemas are translated before Ajv sees
 * them (see toJsonSchema and componentSchemas below for each rewrite and the reason):
 * - `nullable: true` (OpenAPI 3.0, not JSON Schema 2020-12) becomes a type that admits null;
 * - `oneOf` is read as `anyOf`: the spec's unions overlap (42 is both an IntegerTypeValue and a LongTypeValue,
 *   "variant" is both a VariantType and a PrimitiveType), so a strict oneOf would reject valid documents;
 * - `discriminator` mappings are enforced as dispatch on the property (a value in the mapping must match the mapped
 *   schema) and a subtype's `allOf: [Base]` points at Base without its discriminator, or every subtype would
 *   dispatch back to itself; unions of such subtypes (TableUpdate, ViewUpdate) dispatch the same way, so a bad
 *   update reports its own missing field instead of 23 failed branches;
 * - a closed schema (`additionalProperties: false`) used in an allOf is opened and the composite closed with
 *   `unevaluatedProperties: false`, or FailedPlanningResult (IcebergErrorResponse + status) could never be valid;
 * - a response declared as bare ErrorModel (the views routes, UnsupportedOperationResponse) is checked as the
 *   IcebergErrorResponse wrapper `{"error": {...}}`: the spec's own examples for those responses are wrapped, and
 *   that is what Iceberg's reference client parses (apache/iceberg ErrorResponseParser).
 *
 * int64 fields (snapshot ids) arrive as JSON numbers; JSON.parse rounds those past 2^53, which is harmless here
 * (a rounded value is still an integer) but means value comparisons in tests need lossless parsing. bigint values
 * (from a lossless parse) are accepted wherever the schema says integer.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { missingPrerequisite } from './prerequisites.js';

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose .default is the plugin.
const addFormats = ajvFormats.default;

const ROOT = path.resolve(import.meta.dirname, '../..');
const SPEC_IN_REF = 'iceberg/rest-catalog-open-api.yaml';

/** Where the catalog serves the spec's paths: spec path /v1/config is http://host:port/iceberg/v1/config. */
export const ICEBERG_BASE_PATH = '/iceberg';

// ---------------------------------------------------------------------------------------------------------------
// The parts of an OpenAPI document this module reads.

export type JsonObject = { [key: string]: unknown };
export interface Ref {
  readonly $ref: string;
}
export interface MediaTypeObject {
  readonly schema?: JsonObject;
  readonly example?: unknown;
  readonly examples?: Readonly<Record<string, Ref | { readonly value?: unknown }>>;
}
export interface ResponseObject {
  readonly description?: string;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
  readonly headers?: Readonly<Record<string, unknown>>;
}
export interface RequestBodyObject {
  readonly required?: boolean;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
}
export interface OperationObject {
  readonly operationId?: string;
  readonly deprecated?: boolean;
  readonly requestBody?: Ref | RequestBodyObject;
  readonly responses: Readonly<Record<string, Ref | ResponseObject>>;
}
export type PathItemObject = { readonly [method: string]: OperationObject | unknown };
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, PathItemObject>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonObject>>;
    readonly responses?: Readonly<Record<string, Ref | ResponseObject>>;
    readonly examples?: Readonly<Record<string, { readonly summary?: string; readonly value?: unknown }>>;
    readonly [section: string]: unknown;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The public surface.

/** A check of one value: undefined when it is valid, else a readable message naming each problem and where. */
export type SchemaCheck = (value: unknown) => string | undefined;

/** Response headers as fetch gives them, or as a plain record (names in any case). */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>;

export interface IcebergSpec {
  /** The YAML file this was read from. */
  readonly file: string;
  /** The parsed spec, unmodified (for tests that inspect the spec itself). */
  readonly document: OpenApiDocument;
  /** Every operation as "<METHOD> <path>", e.g. "GET /v1/{prefix}/namespaces", in the spec's order. */
  endpoints(): string[];
  /**
   * The spec path (template) an actual request path is served under, for an operation with this method, e.g.
   * matchPath('GET', '/v1/wh1/namespaces/a%1Fb/tables/t') is '/v1/{prefix}/namespaces/{namespace}/tables/{table}'.
   * The path is taken below /iceberg; a leading /iceberg, an origin and a query string are ignored.
   */
  matchPath(method: string, actualPath: string): string | undefined;
  /**
   * Checks one answer: the operation must declare the status (exactly, else as 4XX/5XX, else `default`), a response
   * declared without content (204, 304) and any HEAD answer must have an empty body, and a JSON body must match the
   * declared schema. `path` is a spec path or an actual path (see matchPath). `body` is undefined for no body, a
   * string or bytes for the raw text (parsed here), or the parsed value. With headers, a body must be sent as
   * application/json. Returns undefined when the answer conforms, else the message.
   */
  validateResponse(method: string, path: string, status: number, body: unknown, headers?: HeadersLike): string | undefined;
  /** Checks a request body against the operation's requestBody (the tests' own requests should be spec-valid too). */
  validateRequest(method: string, path: string, body: unknown): string | undefined;
  /** A check against one schema of components/schemas, e.g. schema('CommitTableRequest'). Compiled once. */
  schema(name: string): SchemaCheck;
  /** Follows local $refs (#/components/...) until a non-reference object. */
  resolve<T>(value: Ref | T): T;
}

/** Throws with the spec's complaint unless the answer conforms. Without a spec (it was reported missing) it does nothing. */
export function expectSpecResponse(spec: IcebergSpec | undefined, method: string, path: string, status: number, body: unknown, headers?: HeadersLike): void {
  const problem = spec?.validateResponse(method, path, status, body, headers);
  if (problem !== undefined) throw new Error(problem);
}

/** Throws unless the value matches components/schemas/<name>. Without a spec it does nothing. */
export function expectSpecSchema(spec: IcebergSpec | undefined, name: string, value: unknown): void {
  const problem = spec?.schema(name)(value);
  if (problem !== undefined) throw new Error(problem);
}

/** The reference folder: LAKEPLANE_SHARED_REF (relative to the repo root) or else <repo root>/../shared/ref. */
export function sharedRefDir(): string {
  return path.resolve(ROOT, process.env['LAKEPLANE_SHARED_REF'] ?? '../shared/ref');
}

const loaded = new Map<string, IcebergSpec | undefined>();

/**
 * The spec, read and prepared once per file. When it is absent this reports a missing prerequisite (a loud
 * warning, or a thrown error under LAKEPLANE_REQUIRE_ALL=1) and returns undefined: the caller skips, e.g.
 * `const spec = loadIcebergSpec(); describe.skipIf(!spec)(...)`. A file that is there but unreadable throws.
 */
export function loadIcebergSpec(options: { refDir?: string } = {}): IcebergSpec | undefined {
  const file = path.join(options.refDir ?? sharedRefDir(), SPEC_IN_REF);
  if (loaded.has(file)) return loaded.get(file);
  let spec: IcebergSpec | undefined;
  if (existsSync(file)) spec = openIcebergSpec(file);
  else missingPrerequisite('Iceberg REST spec conformance checks', `no spec at ${file} (set LAKEPLANE_SHARED_REF to the shared ref folder)`);
  loaded.set(file, spec);
  return spec;
}

/** Reads and prepares the spec at a path; throws if it is missing or is not an OpenAPI 3.1 document. */
export function openIcebergSpec(file: string): IcebergSpec {
  const document = parseYaml(readFileSync(file, 'utf8')) as OpenApiDocument;
  if (!isObject(document) || !String(document.openapi).startsWith('3.1') || !isObject(document.paths) || !isObject(document.components?.schemas)) {
    throw new Error(`${file} is not an OpenAPI 3.1 document with paths and components/schemas`);
  }
  return new Spec(file, document);
}

// ---------------------------------------------------------------------------------------------------------------
// Implementation.

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const COMPONENT_SCHEMA = '#/components/schemas/';
const SCHEMA_ID_BASE = 'https://lakeplane.invalid/iceberg-rest/schemas/';
/** Suffix of a schema as an allOf member sees it: without discriminator dispatch and not closed. */
const INHERITED = '~inherited';
const MAX_LISTED_ERRORS = 25;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const isRef = (value: unknown): value is Ref => isObject(value) && typeof value['$ref'] === 'string';
const schemaId = (name: string): string => SCHEMA_ID_BASE + name;
const componentName = (ref: string): string | undefined => (ref.startsWith(COMPONENT_SCHEMA) ? ref.slice(COMPONENT_SCHEMA.length) : undefined);

interface PathTemplate {
  readonly template: string;
  readonly pattern: RegExp;
  readonly literalChars: number;
  readonly methods: ReadonlySet<string>;
}

interface MediaSchema {
  readonly name: string;
  readonly check: SchemaCheck;
}

class Spec implements IcebergSpec {
  private readonly ajv: Ajv2020;
  private readonly checks = new Map<string, SchemaCheck>();
  private readonly inlineChecks = new WeakMap<object, MediaSchema>();
  private readonly templates: PathTemplate[];

  constructor(
    readonly file: string,
    readonly document: OpenApiDocument,
  ) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
    addFormats(this.ajv);
    // Formats ajv-formats does not know are annotations to us, and would otherwise be logged as ignored.
    for (const format of formatsUsed(document.components.schemas)) if (!this.ajv.formats[format]) this.ajv.addFormat(format, true);
    for (const [id, schema] of componentSchemas(document.components.schemas)) this.ajv.addSchema({ ...schema, $id: schemaId(id) });
    this.templates = Object.entries(document.paths)
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/\{[^}]+\}/)
            .map(escapeRegExp)
            .join('[^/]+')}$`,
        ),
        literalChars: template.replace(/\{[^}]+\}/g, '').length,
        methods: new Set(HTTP_METHODS.filter((m) => isObject(item[m]))),
      }))
      .sort((a, b) => b.literalChars - a.literalChars);
  }

  endpoints(): string[] {
    return Object.entries(this.document.paths).flatMap(([p, item]) => HTTP_METHODS.filter((m) => isObject(item[m])).map((m) => `${m.toUpperCase()} ${p}`));
  }

  matchPath(method: string, actualPath: string): string | undefined {
    const m = method.toLowerCase();
    const p = belowBase(actualPath);
    return this.templates.find((t) => t.methods.has(m) && t.pattern.test(p))?.template;
  }

  schema(name: string): SchemaCheck {
    const known = this.checks.get(name);
    if (known) return known;
    if (!isObject(this.document.components.schemas[name])) throw new Error(`no schema ${name} in components/schemas of ${this.file}`);
    const validate = this.ajv.getSchema(schemaId(name));
    if (!validate) throw new Error(`schema ${name} did not compile`);
    const check = checkWith(validate, name);
    this.checks.set(name, check);
    return check;
  }

  resolve<T>(value: Ref | T): T {
    let current: unknown = value;
    for (let hops = 0; isRef(current); hops++) {
      if (hops > 20 || !current.$ref.startsWith('#/')) throw new Error(`cannot follow $ref ${current.$ref}`);
      current = current.$ref
        .slice(2)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), this.document);
      if (current === undefined) throw new Error(`$ref ${(value as Ref).$ref} points at nothing in ${this.file}`);
    }
    return current as T;
  }

  validateResponse(method: string, path: string, status: number, body: unknown, headers?: HeadersLike): string | undefined {
    const found = this.operation(method, path);
    if (typeof found === 'string') return found;
    const { template, operation } = found;
    const what = `${operation.operationId ?? 'operation'}: ${method.toUpperCase()} ${template} answered ${status}`;
    const key = responseKey(operation.responses, status);
    if (key === undefined) {
      return `${what}, a status the spec does not declare for it (declared: ${Object.keys(operation.responses).join(', ')})`;
    }
    const response = this.resolve<ResponseObject>(operation.responses[key] as Ref | ResponseObject);
    const read = readBody(body);
    if ('error' in read) return `${what} with ${read.error}`;
    const media = response.content?.['application/json'];
    if (method.toUpperCase() === 'HEAD' || !response.content) {
      // A HEAD answer never has a body (RFC 9110 9.3.2), whatever content the spec lists for it.
      return read.present ? `${what}, which must have no body, but it has one: ${preview(read.value)}` : undefined;
    }
    if (!media) return `${what}: the spec declares only ${Object.keys(response.content).join(', ')} for it, which this check does not read`;
    if (!read.present) return `${what} with no body, but the spec declares an application/json body for it`;
    const contentType = headers === undefined ? undefined : headerValue(headers, 'content-type');
    if (headers !== undefined && !/^application\/json\s*(;|$)/i.test(contentType ?? '')) {
      return `${what} with content-type ${contentType ?? '(none)'}, but the spec declares application/json`;
    }
    const schema = this.mediaSchema(media, key === 'default' || status >= 400);
    if (!schema) return undefined;
    const problem = schema.check(read.value);
    if (problem !== undefined) return `${what} (response ${key}) with a body that does not match ${problem}`;
    const code = isObject(read.value) && isObject(read.value['error']) ? read.value['error']['code'] : undefined;
    if (status >= 400 && typeof code === 'number' && code !== status) {
      return `${what} with error.code ${code}: ErrorModel.code is the HTTP response code, so it must be ${status}`;
    }
    return undefined;
  }

  validateRequest(method: string, path: string, body: unknown): string | undefined {
    const found = this.operation(method, path);
    if (typeof found === 'string') return found;
    const { template, operation } = found;
    const what = `${operation.operationId ?? 'operation'}: ${method.toUpperCase()} ${template} request`;
    const requestBody = operation.requestBody === undefined ? undefined : this.resolve<RequestBodyObject>(operation.requestBody);
    const read = readBody(body);
    if ('error' in read) return `${what} with ${read.error}`;
    if (!requestBody?.content) return read.present ? `${what} has a body, but the spec declares none` : undefined;
    if (!read.present) return requestBody.required ? `${what} has no body, but the spec requires one` : undefined;
    const media = requestBody.content['application/json'] ?? requestBody.content['application/x-www-form-urlencoded'];
    if (!media) return `${what}: the spec declares only ${Object.keys(requestBody.content).join(', ')}, which this check does not read`;
    const value = read.value instanceof URLSearchParams ? Object.fromEntries(read.value) : read.value;
    const problem = this.mediaSchema(media, false)?.check(value);
    return problem === undefined ? undefined : `${what} body does not match ${problem}`;
  }

  private operation(method: string, specOrActualPath: string): { template: string; operation: OperationObject } | string {
    const m = method.toLowerCase();
    const template = isObject(this.document.paths[specOrActualPath]) ? specOrActualPath : this.matchPath(m, specOrActualPath);
    const operation = template === undefined ? undefined : this.document.paths[template]?.[m];
    if (template === undefined || !isObject(operation)) {
      const other = this.templates.find((t) => t.template === specOrActualPath || t.pattern.test(belowBase(specOrActualPath)));
      return other
        ? `the spec has no ${method.toUpperCase()} on ${other.template} (it has ${[...other.methods].map((x) => x.toUpperCase()).join(', ')})`
        : `no path of the spec matches ${specOrActualPath}`;
    }
    return { template, operation: operation as unknown as OperationObject };
  }

  /** The check of a media type's schema; a bare ErrorModel of an error answer is read as its wrapper (see top). */
  private mediaSchema(media: MediaTypeObject, isError: boolean): MediaSchema | undefined {
    const schema = media.schema;
    if (!schema) return undefined;
    const named = isRef(schema) && Object.keys(schema).length === 1 ? componentName(schema.$ref) : undefined;
    if (named !== undefined) {
      const name = isError && named === 'ErrorModel' ? 'IcebergErrorResponse' : named;
      return { name, check: this.schema(name) };
    }
    let inline = this.inlineChecks.get(schema);
    if (!inline) {
      inline = {
        name: 'the inline schema',
        check: checkWith(this.ajv.compile(toJsonSchema(schema, this.document.components.schemas) as JsonObject), 'the inline schema'),
      };
      this.inlineChecks.set(schema, inline);
    }
    return inline;
  }
}

/** The responses key that answers a status: the exact code, then its range (4XX), then default. */
function responseKey(responses: Readonly<Record<string, unknown>>, status: number): string | undefined {
  const range = `${Math.floor(status / 100)}XX`;
  return [String(status), range, range.toLowerCase(), 'default'].find((k) => k in responses);
}

type ReadBody = { present: false } | { present: true; value: unknown } | { error: string };

function readBody(body: unknown): ReadBody {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = Buffer.from(body).toString('utf8');
  else if (body instanceof ArrayBuffer) text = Buffer.from(body).toString('utf8');
  else return body === undefined ? { present: false } : { present: true, value: withoutBigints(body) };
  if (text === '') return { present: false };
  try {
    return { present: true, value: JSON.parse(text) as unknown };
  } catch {
    return { error: `a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}` };
  }
}

/** bigint (a lossless parse of a long) becomes a number: its type is what is checked here, not its precision. */
function withoutBigints(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.some(hasBigint) ? value.map(withoutBigints) : value;
  const plain = isObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value));
  if (isObject(value) && plain && hasBigint(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutBigints(v)]));
  }
  return value;
}

function hasBigint(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (Array.isArray(value)) return value.some(hasBigint);
  return isObject(value) && Object.values(value).some(hasBigint);
}

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  const value = entry?.[1];
  if (value === undefined) return undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : value.join(', ');
}

function belowBase(actualPath: string): string {
  let p = actualPath.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  if (p === ICEBERG_BASE_PATH || p.startsWith(`${ICEBERG_BASE_PATH}/`)) p = p.slice(ICEBERG_BASE_PATH.length);
  return p;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function checkWith(validate: ValidateFunction, name: string): SchemaCheck {
  return (value) => (validate(withoutBigints(value)) ? undefined : `${name} (Iceberg REST spec):\n${describeErrors(validate.errors ?? [])}`);
}

function describeErrors(errors: readonly ErrorObject[]): string {
  const lines: string[] = [];
  for (const e of errors) {
    // "must match then schema" only repeats the errors of the dispatched schema, which are listed themselves.
    if (e.keyword === 'if') continue;
    let detail = '';
    if (e.keyword === 'additionalProperties') detail = `: '${String(e.params['additionalProperty'])}'`;
    else if (e.keyword === 'unevaluatedProperties') detail = `: '${String(e.params['unevaluatedProperty'])}'`;
    else if (e.keyword === 'enum') detail = ` ${preview(e.params['allowedValues'])}, got ${preview(e.data)}`;
    else if (e.keyword === 'const') detail = ` ${preview(e.params['allowedValue'])}, got ${preview(e.data)}`;
    else if (['type', 'format', 'minimum', 'maximum', 'pattern', 'minLength', 'maxLength'].includes(e.keyword)) detail = `, got ${preview(e.data)}`;
    const line = `  ${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? e.keyword}${detail}`;
    if (!lines.includes(line)) lines.push(line);
  }
  if (lines.length > MAX_LISTED_ERRORS) return [...lines.slice(0, MAX_LISTED_ERRORS), `  ... and ${lines.length - MAX_LISTED_ERRORS} more`].join('\n');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// From OpenAPI schemas to JSON Schema 2020-12 that Ajv validates as the spec means it.

type Schemas = Readonly<Record<string, JsonObject>>;

const SCHEMA_VALUED = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
]);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
/** OpenAPI-only keywords: consumed by the rewrites (nullable, discriminator) or mere documentation. */
const DROPPED = new Set(['nullable', 'discriminator', 'example', 'xml', 'externalDocs']);

/** Every schema to register, by id: one per component, plus `<name>~inherited` where an allOf needs another view. */
function componentSchemas(schemas: Schemas): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const [name, raw] of Object.entries(schemas)) {
    const union = raw['oneOf'] ?? raw['anyOf'];
    if (isObject(raw['discriminator'])) out.set(name, discriminatorDispatch(name, raw, schemas));
    else out.set(name, (Array.isArray(union) && inheritedUnionDispatch(raw, union, schemas)) || (toJsonSchema(raw, schemas) as JsonObject));
    if (needsInheritedView(raw)) {
      const rest = { ...raw };
      if (isObject(raw['discriminator'])) {
        delete rest['discriminator'];
        delete rest['oneOf'];
        delete rest['anyOf'];
      }
      if (raw['additionalProperties'] === false) delete rest['additionalProperties'];
      out.set(name + INHERITED, toJsonSchema(rest, schemas) as JsonObject);
    }
  }
  return out;
}

const needsInheritedView = (raw: JsonObject | undefined): boolean => isObject(raw) && (isObject(raw['discriminator']) || raw['additionalProperties'] === false);

/** An if/then that applies `ref` when the discriminating property has `value`. */
function dispatchOn(property: string, value: string, ref: string): JsonObject {
  return { if: { type: 'object', required: [property], properties: { [property]: { const: value } } }, then: { $ref: ref } };
}

/**
 * A schema with a discriminator: its own constraints, then the schema its mapping names for the property's value.
 * With a oneOf/anyOf the set is closed (the value must be in the mapping, which must cover every branch): that is
 * what resolves PlanTableScanResult, where a "submitted" answer with a plan-id matches two branches of the oneOf.
 * Without one (BaseUpdate, TableRequirement, ContentFile) values outside the mapping only meet the base.
 */
function discriminatorDispatch(name: string, raw: JsonObject, schemas: Schemas): JsonObject {
  const discriminator = raw['discriminator'] as JsonObject;
  const property = String(discriminator['propertyName']);
  const mapping = Object.entries(isObject(discriminator['mapping']) ? discriminator['mapping'] : {}).map(([value, ref]) => {
    const target = componentName(String(ref));
    if (target === undefined || !schemas[target]) throw new Error(`${name}: discriminator maps ${value} to ${String(ref)}, which is not a component schema`);
    return { value, target };
  });
  const union = raw['oneOf'] ?? raw['anyOf'];
  if (Array.isArray(union)) {
    for (const branch of union) {
      const target = isRef(branch) ? componentName(branch.$ref) : undefined;
      if (target === undefined || !mapping.some((m) => m.target === target)) {
        throw new Error(`${name}: a ${raw['oneOf'] ? 'oneOf' : 'anyOf'} branch is not in its discriminator mapping; the dispatch here assumes it is`);
      }
    }
  }
  return {
    allOf: [{ $ref: schemaId(name + INHERITED) }, ...mapping.map((m) => dispatchOn(property, m.value, schemaId(m.target)))],
    ...(Array.isArray(union) ? { required: [property], properties: { [property]: { enum: mapping.map((m) => m.value) } } } : {}),
  };
}

/**
 * A union whose branches all inherit one discriminated base and fix its property with a const (TableUpdate,
 * ViewUpdate): dispatched on that const. Equivalent to the anyOf, since each value can only match its own branch.
 */
function inheritedUnionDispatch(raw: JsonObject, union: unknown[], schemas: Schemas): JsonObject | undefined {
  let base: string | undefined;
  let property: string | undefined;
  const branches: { value: string; target: string }[] = [];
  for (const branch of union) {
    const target = isRef(branch) ? componentName(branch.$ref) : undefined;
    const schema = target === undefined ? undefined : schemas[target];
    const parents = Array.isArray(schema?.['allOf']) ? (schema['allOf'] as unknown[]) : [];
    const parent = parents.map((p) => (isRef(p) ? componentName(p.$ref) : undefined)).find((p) => p !== undefined && isObject(schemas[p]?.['discriminator']));
    if (target === undefined || !schema || parent === undefined || (base !== undefined && parent !== base)) return undefined;
    base = parent;
    property = String((schemas[parent]?.['discriminator'] as JsonObject)['propertyName']);
    const own = isObject(schema['properties']) ? schema['properties'][property] : undefined;
    const value = isObject(own) ? own['const'] : undefined;
    if (typeof value !== 'string' || branches.some((b) => b.value === value)) return undefined;
    branches.push({ value, target });
  }
  if (base === undefined || property === undefined) return undefined;
  const rest = { ...raw };
  delete rest['oneOf'];
  delete rest['anyOf'];
  const own = Object.keys(rest).length > 0 ? [toJsonSchema(rest, schemas)] : [];
  return {
    allOf: [...own, { $ref: schemaId(base + INHERITED) }, ...branches.map((b) => dispatchOn(property, b.value, schemaId(b.target)))],
    required: [property],
    properties: { [property]: { enum: branches.map((b) => b.value) } },
  };
}

/** One OpenAPI schema object as JSON Schema 2020-12 (see the top of the file for what changes and why). */
function toJsonSchema(node: unknown, schemas: Schemas): unknown {
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  const extraAllOf: JsonObject[] = [];
  let closeComposite = false;
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (key === '$ref') out['$ref'] = refTo(String(value));
    else if (SCHEMA_VALUED.has(key)) out[key] = toJsonSchema(value, schemas);
    else if (SCHEMA_MAPS.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, schemas)]));
    else if (key === 'prefixItems' && Array.isArray(value)) out[key] = value.map((v) => toJsonSchema(v, schemas));
    else if (key === 'allOf' && Array.isArray(value)) {
      out['allOf'] = value.map((member) => {
        const parent = isRef(member) ? componentName(member.$ref) : undefined;
        if (parent === undefined || !needsInheritedView(schemas[parent])) return toJsonSchema(member, schemas);
        if (schemas[parent]?.['additionalProperties'] === false) closeComposite = true;
        return { $ref: schemaId(parent + INHERITED) };
      });
    } else if ((key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) {
      const branches = value.map((v) => toJsonSchema(v, schemas));
      if (key === 'oneOf' && Array.isArray(node['anyOf'])) extraAllOf.push({ anyOf: branches });
      else out['anyOf'] = branches;
    } else out[key] = value;
  }
  if (extraAllOf.length > 0) out['allOf'] = [...((out['allOf'] as unknown[] | undefined) ?? []), ...extraAllOf];
  // A closed parent inherited through allOf: close the composite instead, so the sibling members' properties count.
  if (closeComposite && out['additionalProperties'] === undefined && out['unevaluatedProperties'] === undefined) out['unevaluatedProperties'] = false;
  return node['nullable'] === true ? admitNull(out) : out;
}

function refTo(ref: string): string {
  const name = componentName(ref);
  if (name === undefined || name.includes('/')) throw new Error(`unsupported $ref in a schema: ${ref}`);
  return schemaId(name);
}

/** OpenAPI 3.0's `nullable: true`: null is valid too. */
function admitNull(schema: JsonObject): JsonObject {
  const composed = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'if'].some((k) => k in schema);
  const type = schema['type'];
  if (composed || (typeof type !== 'string' && !Array.isArray(type))) return { anyOf: [schema, { type: 'null' }] };
  const out: JsonObject = { ...schema, type: typeof type === 'string' ? [type, 'null'] : [...new Set([...(type as unknown[]), 'null'])] };
  if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  return out;
}

function formatsUsed(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const v of node) formatsUsed(v, found);
  else if (isObject(node)) {
    if (typeof node['format'] === 'string' && typeof node['type'] === 'string') found.add(node['format']);
    for (const [k, v] of Object.entries(node)) if (k !== 'example' && k !== 'examples') formatsUsed(v, found);
  }
  return found;
}
