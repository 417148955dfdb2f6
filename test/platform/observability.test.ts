import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

describe.each(backends())('health, metrics and published contracts on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
  });
  afterAll(() => p?.close());

  it('serves /healthz and /readyz without credentials', async () => {
    expect((await p.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await p.call('GET', '/readyz')).body).toEqual({ status: 'ready', database: backend === 'postgres' ? 'postgres' : 'pglite' });
  });

  it('exposes process metrics, the request histogram by function/route/status, and event counters', async () => {
    await p.call('GET', '/api/v1/me', { token: admin });
    await p.call('GET', '/api/v1/me');
    const res = await fetch(`${p.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('lakeplane_process_cpu_seconds_total');
    expect(text).toMatch(/lakeplane_http_request_duration_seconds_count\{function="iam",method="GET",route="\/api\/v1\/me",status="200"\} \d+/);
    expect(text).toMatch(/lakeplane_http_request_duration_seconds_count\{function="iam",method="GET",route="\/api\/v1\/me",status="401"\} 1/);
    for (const name of [
      'lakeplane_events_published_total',
      'lakeplane_events_delivered_total',
      'lakeplane_events_failed_total',
      'lakeplane_events_dead_lettered_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = (await p.call('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/auth/token',
        '/api/v1/me',
        '/api/v1/tokens',
        '/api/v1/service-accounts',
        '/api/v1/audit',
        '/.well-known/jwks.json',
      ]),
    );
    const createUser = doc.paths['/api/v1/users'].post;
    expect(createUser.requestBody.content['application/json'].schema.properties.username.pattern).toBeTruthy();
    expect(createUser.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/users/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(doc.paths['/api/v1/auth/token'].post.requestBody.content).toHaveProperty('application/x-www-form-urlencoded');
    expect(doc.paths['/api/v1/auth/token'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/users'].get.security).toEqual([{ bearer: [] }, { oauth2: ['iam:read'] }]);
    expect(doc.components.securitySchemes.oauth2.flows.clientCredentials.scopes).toHaveProperty('catalog:read');
    // Every schema in the document compiles as JSON Schema 2020-12, the dialect OpenAPI 3.1 uses.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const walk = (o: any) => {
      if (!o || typeof o !== 'object') return;
      for (const [k, v] of Object.entries(o)) {
        // The document's shared schemas ride along: a $ref to #/components/schemas/… resolves against them.
        if (k === 'schema' && v && typeof v === 'object' && !('$ref' in (v as object))) ajv.compile({ ...(v as object), components: doc.components });
        else walk(v);
      }
    };
    walk(doc.paths);
    // The answers really match what the document promises.
    const validateUser = ajv.compile(doc.paths['/api/v1/users/{id}'].get.responses['200'].content['application/json'].schema);
    const me = (await p.call('GET', '/api/v1/me', { token: admin })).body;
    expect(validateUser((await p.call('GET', `/api/v1/users/${me.id}`, { token: admin })).body)).toBe(true);
  });

  it('publishes the CloudEvent types with their data schemas', async () => {
    const catalog = (await p.call('GET', '/cloudevents.json')).body;
    expect(catalog.types['io.lakeplane.iam.user.created.v1'].dataschema.required).toEqual(expect.arrayContaining(['userId', 'username']));
    for (const type of Object.keys(catalog.types)) expect(type).toMatch(/^io\.lakeplane\.[a-z-]+(\.[a-z-]+)+\.v\d+$/);
  });
});
