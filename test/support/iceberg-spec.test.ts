import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  expectSpecResponse,
  expectSpecSchema,
  loadIcebergSpec,
  type IcebergSpec,
  type MediaTypeObject,
  type OperationObject,
  type Ref,
  type RequestBodyObject,
  type ResponseObject,
} from './iceberg-spec.js';
import { REQUIRE_ALL } from './prerequisites.js';

const spec = loadIcebergSpec();

const LOAD_TABLE = '/v1/{prefix}/namespaces/{namespace}/tables/{table}';
// 3055729675574597004 > 2^53: JSON.parse rounds it, and it must still count as an integer.
const SNAPSHOT_ID = '3055729675574597004';
const LOAD_TABLE_RESULT_TEXT = `{
  "metadata-location": "s3://warehouse/sales/orders/metadata/00001-7f3a.metadata.json",
  "metadata": {
    "format-version": 2,
    "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
    "location": "s3://warehouse/sales/orders",
    "last-sequence-number": 1,
    "last-updated-ms": 1602638573590,
    "last-column-id": 4,
    "current-schema-id": 0,
    "schemas": [{
      "type": "struct", "schema-id": 0, "identifier-field-ids": [1],
      "fields": [
        { "id": 1, "name": "id", "required": true, "type": "long" },
        { "id": 2, "name": "amount", "required": false, "type": "decimal(10,2)" },
        { "id": 3, "name": "tags", "required": false,
          "type": { "type": "list", "element-id": 4, "element": "string", "element-required": false } }
      ]
    }],
    "default-spec-id": 0,
    "partition-specs": [{ "spec-id": 0, "fields": [{ "name": "id_bucket", "transform": "bucket[16]", "source-id": 1, "field-id": 1000 }] }],
    "last-partition-id": 1000,
    "default-sort-order-id": 0,
    "sort-orders": [{ "order-id": 0, "fields": [] }],
    "properties": { "write.format.default": "parquet" },
    "current-snapshot-id": ${SNAPSHOT_ID},
    "refs": { "main": { "snapshot-id": ${SNAPSHOT_ID}, "type": "branch" } },
    "snapshots": [{
      "snapshot-id": ${SNAPSHOT_ID}, "sequence-number": 1, "timestamp-ms": 1602638573590, "schema-id": 0,
      "manifest-list": "s3://warehouse/sales/orders/metadata/snap-${SNAPSHOT_ID}-1-8a8c.avro",
      "summary": { "operation": "append", "added-data-files": "1", "added-records": "3" }
    }],
    "snapshot-log": [{ "snapshot-id": ${SNAPSHOT_ID}, "timestamp-ms": 1602638573590 }],
    "metadata-log": [],
    "statistics": [],
    "partition-statistics": []
  },
  "config": { "client.region": "us-east-1" }
}`;
const loadTableResult = (): any => JSON.parse(LOAD_TABLE_RESULT_TEXT);
const errorBody = (code: number, type = 'NoSuchTableException') => ({ error: { message: 'The given table does not exist', type, code } });
const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', etag: 'W/"abc"' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('loadIcebergSpec without the reference folder', () => {
  it('skips loudly, or fails under LAKEPLANE_REQUIRE_ALL=1', () => {
    const load = () => loadIcebergSpec({ refDir: '/nonexistent/shared/ref' });
    if (REQUIRE_ALL) {
      expect(load).toThrow(/SKIPPED Iceberg REST spec conformance checks: no spec at \/nonexistent/);
    } else {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      expect(load()).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/\*\*\* SKIPPED Iceberg REST spec conformance checks: no spec at/));
    }
  });
});

describe.skipIf(!spec)('the Iceberg REST spec as a test oracle', () => {
  const s = spec as IcebergSpec;

  describe('validateResponse', () => {
    it('accepts a v2 LoadTableResult with one snapshot: as raw text, parsed, and with bigint ids from a lossless parse', () => {
      expect(s.validateResponse('GET', LOAD_TABLE, 200, LOAD_TABLE_RESULT_TEXT, JSON_HEADERS)).toBeUndefined();
      expect(s.validateResponse('GET', LOAD_TABLE, 200, loadTableResult())).toBeUndefined();
      const lossless = loadTableResult();
      lossless.metadata['current-snapshot-id'] = BigInt(SNAPSHOT_ID);
      lossless.metadata.snapshots[0]['snapshot-id'] = BigInt(SNAPSHOT_ID);
      expect(s.validateResponse('GET', LOAD_TABLE, 200, lossless)).toBeUndefined();
      // the same answer through every operation that declares LoadTableResult
      expect(s.validateResponse('POST', '/v1/{prefix}/namespaces/{namespace}/tables', 200, loadTableResult())).toBeUndefined();
      expect(s.validateResponse('POST', '/v1/{prefix}/namespaces/{namespace}/register', 200, loadTableResult())).toBeUndefined();
    });

    it('takes an actual request path as well as a spec path', () => {
      expect(s.validateResponse('GET', '/v1/wh1/namespaces/sales%1Feu/tables/orders', 200, loadTableResult())).toBeUndefined();
      expect(s.validateResponse('GET', '/iceberg/v1/wh1/namespaces/sales/tables/orders?snapshots=refs', 200, loadTableResult())).toBeUndefined();
    });

    it('rejects a body without metadata, naming the field, the operation and the status', () => {
      const body = loadTableResult();
      delete body.metadata;
      const problem = s.validateResponse('GET', LOAD_TABLE, 200, body);
      expect(problem).toMatch(/^loadTable: GET \/v1\/\{prefix\}\/namespaces\/\{namespace\}\/tables\/\{table\} answered 200/);
      expect(problem).toContain("(root) must have required property 'metadata'");
      expect(() => expectSpecResponse(s, 'GET', LOAD_TABLE, 200, body)).toThrow(/required property 'metadata'/);
    });

    it('points at nested problems by instance path', () => {
      const body = loadTableResult();
      body.metadata['format-version'] = 4;
      delete body.metadata.snapshots[0]['manifest-list'];
      body.metadata.snapshots[0].summary.operation = 'merge';
      body.metadata['last-updated-ms'] = '1602638573590';
      const problem = s.validateResponse('GET', LOAD_TABLE, 200, body) ?? '';
      expect(problem).toContain('/metadata/format-version must be <= 3, got 4');
      expect(problem).toContain("/metadata/snapshots/0 must have required property 'manifest-list'");
      expect(problem).toMatch(/\/metadata\/snapshots\/0\/summary\/operation must be equal to one of the allowed values .*"append".*, got merge/);
      expect(problem).toContain('/metadata/last-updated-ms must be integer');
    });

    it('accepts an ErrorModel answer for 404 and rejects one that is not wrapped or names another code', () => {
      expect(s.validateResponse('GET', LOAD_TABLE, 404, errorBody(404), { 'content-type': 'application/json' })).toBeUndefined();
      expect(() => expectSpecResponse(s, 'GET', LOAD_TABLE, 404, errorBody(404))).not.toThrow();
      expect(s.validateResponse('GET', LOAD_TABLE, 404, errorBody(404).error)).toContain("(root) must have required property 'error'");
      expect(s.validateResponse('GET', LOAD_TABLE, 404, { ...errorBody(404), detail: 'x' })).toContain("must NOT have additional properties: 'detail'");
      expect(s.validateResponse('GET', LOAD_TABLE, 404, errorBody(409))).toContain('error.code 409');
      expect(s.validateResponse('GET', LOAD_TABLE, 404, { error: { message: 'm', code: 404 } })).toContain("/error must have required property 'type'");
    });

    it('reads a response declared as bare ErrorModel as the {"error": ...} wrapper the spec examples and clients use', () => {
      const loadView = '/v1/{prefix}/namespaces/{namespace}/views/{view}';
      expect(s.validateResponse('GET', loadView, 404, errorBody(404, 'NoSuchViewException'))).toBeUndefined();
      expect(s.validateResponse('GET', loadView, 404, errorBody(404, 'NoSuchViewException').error)).toContain("required property 'error'");
      expect(s.validateResponse('POST', '/v1/{prefix}/namespaces', 406, errorBody(406, 'UnsupportedOperationException'))).toBeUndefined();
    });

    it('finds 5XX answers through the range, and exact codes first', () => {
      expect(s.validateResponse('GET', '/v1/config', 500, errorBody(500, 'InternalServerError'))).toBeUndefined();
      expect(s.validateResponse('GET', '/v1/config', 599, errorBody(599, 'InternalServerError'))).toBeUndefined();
      expect(s.validateResponse('POST', LOAD_TABLE, 502, errorBody(502, 'CommitStateUnknownException'))).toBeUndefined();
    });

    it('requires an empty body where the spec declares no content, and for every HEAD answer', () => {
      const dropTable = (body: unknown) => s.validateResponse('DELETE', LOAD_TABLE, 204, body);
      expect(dropTable(undefined)).toBeUndefined();
      expect(dropTable('')).toBeUndefined();
      expect(dropTable(new Uint8Array())).toBeUndefined();
      expect(dropTable({})).toMatch(/dropTable: DELETE .* answered 204, which must have no body, but it has one: \{\}/);
      expect(dropTable('null')).toContain('must have no body');
      expect(s.validateResponse('GET', LOAD_TABLE, 304, undefined)).toBeUndefined();
      expect(s.validateResponse('GET', LOAD_TABLE, 304, loadTableResult())).toContain('must have no body');
      expect(s.validateResponse('HEAD', '/v1/{prefix}/namespaces/{namespace}', 204, undefined)).toBeUndefined();
      expect(s.validateResponse('HEAD', '/v1/{prefix}/namespaces/{namespace}', 404, undefined)).toBeUndefined();
      expect(s.validateResponse('HEAD', '/v1/{prefix}/namespaces/{namespace}', 404, errorBody(404))).toContain('must have no body');
    });

    it('fails a status, method or path the spec does not declare', () => {
      expect(s.validateResponse('GET', '/v1/config', 409, errorBody(409))).toMatch(
        /getConfig: GET \/v1\/config answered 409, a status the spec does not declare for it \(declared: 200, 400/,
      );
      // the spec's viewExists declares no 403
      expect(s.validateResponse('HEAD', '/v1/{prefix}/namespaces/{namespace}/views/{view}', 403, undefined)).toContain('does not declare');
      expect(s.validateResponse('PUT', LOAD_TABLE, 200, {})).toBe(`the spec has no PUT on ${LOAD_TABLE} (it has GET, POST, DELETE, HEAD)`);
      expect(s.validateResponse('GET', '/v2/nothing', 200, {})).toBe('no path of the spec matches /v2/nothing');
    });

    it('fails a body that is missing, not JSON, or not sent as application/json', () => {
      expect(s.validateResponse('GET', LOAD_TABLE, 200, undefined)).toContain('with no body, but the spec declares an application/json body');
      expect(s.validateResponse('GET', LOAD_TABLE, 200, '<html>oops</html>')).toContain('a body that is not JSON: "<html>oops</html>"');
      expect(s.validateResponse('GET', LOAD_TABLE, 200, LOAD_TABLE_RESULT_TEXT, { 'content-type': 'text/plain' })).toContain('content-type text/plain');
      expect(s.validateResponse('GET', LOAD_TABLE, 200, LOAD_TABLE_RESULT_TEXT, new Headers())).toContain('content-type (none)');
      expect(s.validateResponse('GET', LOAD_TABLE, 200, LOAD_TABLE_RESULT_TEXT, new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    });

    it('handles the nullable fields of OpenAPI 3.0', () => {
      const list = '/v1/{prefix}/namespaces';
      expect(s.validateResponse('GET', list, 200, { namespaces: [['a'], ['a', 'b']], 'next-page-token': null })).toBeUndefined();
      expect(s.validateResponse('GET', list, 200, { namespaces: [['a']], 'next-page-token': 7 })).toContain('/next-page-token');
      expect(s.validateResponse('GET', '/v1/{prefix}/namespaces/{namespace}', 200, { namespace: ['a'], properties: null })).toBeUndefined();
      const staged = loadTableResult();
      staged['metadata-location'] = null;
      expect(s.validateResponse('POST', '/v1/{prefix}/namespaces/{namespace}/tables', 200, staged)).toBeUndefined();
    });
  });

  describe('matchPath and endpoints', () => {
    it('maps actual paths below /iceberg to their spec path', () => {
      const cases: [string, string, string | undefined][] = [
        ['GET', '/v1/config', '/v1/config'],
        ['GET', '/v1/config?warehouse=wh1', '/v1/config'],
        ['GET', '/v1/wh1/namespaces/a%1Fb/tables/t', LOAD_TABLE],
        ['HEAD', '/iceberg/v1/wh1/namespaces/a%1Fb/tables/t', LOAD_TABLE],
        ['GET', 'http://127.0.0.1:8080/iceberg/v1/wh1/namespaces', '/v1/{prefix}/namespaces'],
        ['POST', '/v1/wh1/tables/rename', '/v1/{prefix}/tables/rename'],
        ['POST', '/v1/wh1/namespaces/ns/register', '/v1/{prefix}/namespaces/{namespace}/register'],
        ['POST', '/v1/wh1/namespaces/ns/properties', '/v1/{prefix}/namespaces/{namespace}/properties'],
        ['GET', '/v1/wh1/namespaces/ns/tables/t/plan/p-1', '/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}'],
        // a prefix or namespace may spell a literal segment of another path
        ['POST', '/v1/namespaces/namespaces/tables/tables', '/v1/{prefix}/namespaces/{namespace}/tables'],
        ['GET', '/v1/tables/namespaces/rename', '/v1/{prefix}/namespaces/{namespace}'],
        ['POST', '/v1/tables/tables/rename', '/v1/{prefix}/tables/rename'],
        ['POST', '/v1/wh1/namespaces/ns/tables/plan', '/v1/{prefix}/namespaces/{namespace}/tables/{table}'],
        ['POST', '/v1/oauth/tokens', '/v1/oauth/tokens'],
        ['PUT', '/v1/wh1/namespaces/ns/tables/t', undefined],
        ['GET', '/v1/wh1/namespaces/ns/tables/t/extra', undefined],
        ['GET', '/v1/wh1/namespaces//tables/t', undefined],
      ];
      for (const [method, actual, template] of cases) expect(s.matchPath(method, actual), `${method} ${actual}`).toBe(template);
    });

    it('lists every operation once, including the default endpoints the config description names', () => {
      const endpoints = s.endpoints();
      expect(new Set(endpoints).size).toBe(endpoints.length);
      expect(endpoints).toContain('GET /v1/config');
      expect(endpoints).toContain('HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}');
      const getConfig = s.document.paths['/v1/config']?.['get'] as OperationObject & { description: string };
      const defaults = [...getConfig.description.matchAll(/- ((?:GET|POST|DELETE|HEAD) \/v1\/\S+)/g)].map((m) => m[1]);
      expect(defaults.length).toBeGreaterThan(10);
      for (const endpoint of defaults) expect(endpoints).toContain(endpoint);
    });
  });

  describe('schema() and the traps of this spec', () => {
    const commit = {
      requirements: [
        { type: 'assert-table-uuid', uuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1' },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
        { type: 'assert-current-schema-id', 'current-schema-id': 0 },
      ],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-snapshot', snapshot: { 'snapshot-id': 2, 'timestamp-ms': 1, 'manifest-list': 's3://m.avro', summary: { operation: 'append' } } },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 2 },
        { action: 'set-properties', updates: { owner: 'ada' } },
      ],
    };

    it('validates request bodies: a CommitTableRequest through the BaseUpdate allOf and the TableUpdate anyOf', () => {
      expect(s.schema('CommitTableRequest')(commit)).toBeUndefined();
      expect(s.validateRequest('POST', LOAD_TABLE, commit)).toBeUndefined();
      expect(() =>
        expectSpecSchema(s, 'CommitTransactionRequest', { 'table-changes': [{ identifier: { namespace: ['a'], name: 't' }, ...commit }] }),
      ).not.toThrow();
    });

    it('reports a bad update or requirement by its own fields, not by every branch of the union', () => {
      const bad = {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main' }],
        updates: [{ action: 'set-properties' }, { action: 'set-snapshot-ref', 'ref-name': 'main', 'snapshot-id': 2 }, { action: 'rename-table' }, 'x'],
      };
      const problem = s.schema('CommitTableRequest')(bad) ?? '';
      expect(problem).toContain("/requirements/0 must have required property 'snapshot-id'");
      expect(problem).toContain("/updates/0 must have required property 'updates'");
      expect(problem).toContain("/updates/1 must have required property 'type'");
      expect(problem).toMatch(/\/updates\/2\/action must be equal to one of the allowed values \["assign-uuid",.*, got rename-table/);
      expect(problem).toContain('/updates/3 must be object');
      expect(problem.split('\n').length).toBeLessThan(12);
      expect(s.validateRequest('POST', LOAD_TABLE, bad)).toContain('updateTable: POST');
      // view updates are a smaller union: a table-only action is refused there
      expect(s.schema('ViewUpdate')({ action: 'set-current-schema', 'schema-id': 1 })).toContain('must be equal to one of the allowed values');
    });

    it('accepts what overlapping oneOf branches would reject: variant types, defaults, numeric literals', () => {
      const field = { id: 1, name: 'v', required: false, type: 'variant' };
      expect(s.schema('StructField')(field)).toBeUndefined();
      expect(s.schema('StructField')({ id: 2, name: 'n', required: false, type: 'int', 'initial-default': 42, 'write-default': 42 })).toBeUndefined();
      expect(s.schema('StructField')({ id: 3, name: 's', required: false, type: 'string', 'initial-default': 'x' })).toBeUndefined();
      expect(
        s.schema('Type')({ type: 'map', 'key-id': 1, key: 'string', 'value-id': 2, value: { type: 'struct', fields: [field] }, 'value-required': true }),
      ).toBeUndefined();
      expect(s.schema('Type')({ type: 'map', 'key-id': 1, key: 'string' })).toBeDefined();
      expect(s.schema('Predicate')({ type: 'in', child: { type: 'reference', name: 'id' }, values: [1, 2] })).toBeUndefined();
    });

    it('reads scan planning results by their status, as the discriminator says', () => {
      const plan = s.schema('PlanTableScanResult');
      expect(plan({ status: 'submitted', 'plan-id': 'p-1' })).toBeUndefined();
      expect(plan({ status: 'submitted' })).toContain("must have required property 'plan-id'");
      expect(plan({ status: 'completed', 'plan-id': 'p-1', 'plan-tasks': ['t1'], 'file-scan-tasks': [] })).toBeUndefined();
      expect(plan({ status: 'failed', error: { message: 'm', type: 'T', code: 500 } })).toBeUndefined();
      expect(plan({ status: 'failed', error: { message: 'm', type: 'T', code: 500 }, extra: 1 })).toContain("must NOT have unevaluated properties: 'extra'");
      expect(plan({ status: 'done' })).toContain('/status must be equal to one of the allowed values');
      expect(plan({})).toContain("required property 'status'");
      expect(s.schema('FetchPlanningResult')({ status: 'cancelled' })).toBeUndefined();
    });

    it('compiles each schema once and refuses names the spec does not have', () => {
      expect(s.schema('TableMetadata')).toBe(s.schema('TableMetadata'));
      expect(() => s.schema('NoSuchSchema')).toThrow(/no schema NoSuchSchema/);
      const body = loadTableResult();
      s.validateResponse('GET', LOAD_TABLE, 200, body);
      const started = performance.now();
      for (let i = 0; i < 500; i++) expect(s.validateResponse('GET', LOAD_TABLE, 200, body)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(2_000);
    });
  });

  describe("the spec's own examples", () => {
    interface Example {
      readonly where: string;
      readonly check: () => string | undefined;
    }
    const referenced = new Set<string>();

    /** Every example of a media type, with components/examples followed (and a quirk: `example: {$ref}` on renameTable 409). */
    function examplesOf(media: MediaTypeObject): { name: string; value: unknown }[] {
      const out: { name: string; value: unknown }[] = [];
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        if ('$ref' in example) referenced.add((example as Ref).$ref);
        out.push({ name, value: s.resolve<{ value?: unknown }>(example).value });
      }
      if (media.example !== undefined) {
        const inline = media.example as Partial<Ref>;
        if (typeof inline.$ref === 'string') referenced.add(inline.$ref);
        out.push({ name: 'example', value: typeof inline.$ref === 'string' ? s.resolve<{ value?: unknown }>(inline as Ref).value : media.example });
      }
      return out;
    }

    /** A status that the responses key stands for: a range picks the example's own error code where it fits. */
    function statusFor(key: string, value: unknown): number {
      const code = (value as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (/^\d+$/.test(key)) return Number(key);
      const hundreds = Number(key[0]) * 100;
      return typeof code === 'number' && code >= hundreds && code < hundreds + 100 ? code : hundreds;
    }

    function collect(): Example[] {
      const out: Example[] = [];
      for (const [path, item] of Object.entries(s.document.paths)) {
        for (const method of ['get', 'put', 'post', 'delete', 'head', 'patch']) {
          const operation = item[method] as OperationObject | undefined;
          if (!operation) continue;
          const verb = method.toUpperCase();
          if (operation.requestBody) {
            for (const media of Object.values(s.resolve<RequestBodyObject>(operation.requestBody).content ?? {})) {
              for (const { name, value } of examplesOf(media)) {
                out.push({ where: `${verb} ${path} request ${name}`, check: () => s.validateRequest(verb, path, value) });
              }
            }
          }
          for (const [key, response] of Object.entries(operation.responses)) {
            for (const media of Object.values(s.resolve<ResponseObject>(response).content ?? {})) {
              if (verb === 'HEAD') continue; // HEAD answers carry no body, whatever the spec lists
              for (const { name, value } of examplesOf(media)) {
                out.push({ where: `${verb} ${path} ${key} ${name}`, check: () => s.validateResponse(verb, path, statusFor(key, value), value) });
              }
            }
          }
        }
      }
      return out;
    }

    it('validate against the responses and requests that reference them', () => {
      const examples = collect();
      const failures = examples.map((e) => ({ where: e.where, problem: e.check() })).filter((f) => f.problem !== undefined);
      expect(failures).toEqual([]);
      expect(examples.length).toBeGreaterThan(100);
    });

    it('cover every object-valued example under components/examples', () => {
      if (referenced.size === 0) collect();
      const objects = Object.entries(s.document.components.examples ?? {}).filter(([, e]) => typeof e.value === 'object' && e.value !== null);
      expect(objects.length).toBeGreaterThan(15);
      for (const [name] of objects) expect(referenced, name).toContain(`#/components/examples/${name}`);
    });

    it('include the wrapped error answers that the IcebergErrorResponse schema itself carries', () => {
      const errorResponse = s.resolve<ResponseObject>({ $ref: '#/components/responses/IcebergErrorResponse' });
      for (const { value } of examplesOf(errorResponse.content?.['application/json'] ?? {})) expect(s.schema('IcebergErrorResponse')(value)).toBeUndefined();
    });
  });
});
