import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA, ns } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** A createTable body whose schema nests `depth` struct types, one inside the other. */
function nestedStructs(depth: number): string {
  let type = '{"type":"struct","fields":[]}';
  for (let i = 0; i < depth; i++) type = `{"type":"struct","fields":[{"id":${i + 2},"name":"f${i}","required":false,"type":${type}}]}`;
  return `{"name":"deep","schema":{"type":"struct","fields":[{"id":1,"name":"root","required":false,"type":${type}}]}}`;
}

/** Sends every body file at once to the namespaces route (argv: url, authorization, files…); prints the statuses. */
const ATTACKER = `
const [url, authorization, ...files] = process.argv.slice(1);
const { readFileSync } = require('node:fs');
const bodies = files.map((f) => readFileSync(f));
Promise.all(bodies.map((body) => fetch(url + '/iceberg/v1/wh/namespaces', { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body }).then((r) => r.arrayBuffer().then(() => r.status))))
  .then((statuses) => process.stdout.write(JSON.stringify(statuses)));
`;

/**
 * Input that used to break the server (issue 19): NUL characters and lone surrogates PostgreSQL cannot store, names
 * that are paths, emoji, deep nesting, huge names and namespaces of many levels. Each is a 400 naming the field, or a
 * success for what is valid, through real HTTP on PGlite and PostgreSQL; and the server keeps answering meanwhile.
 */
describe.each(backends())('hostile input on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ice: IcebergClient;
  let root: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-hostile-'));
    const wh = await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } });
    expect(wh.status).toBe(201);
    ice = new IcebergClient(p, admin, 'wh');
    expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['plain'] })).status).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function namespaces(): Promise<string[][]> {
    return (await ice.call('GET', '/v1/{prefix}/namespaces')).body.namespaces;
  }

  function expectIcebergBadRequest(r: { status: number; body: any; text: string }, mentions: RegExp) {
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'BadRequestException', code: 400 });
    expect(r.body.error.message).toMatch(mentions);
  }

  describe('text PostgreSQL cannot store', () => {
    it('a NUL or a lone surrogate in a namespace level is a 400 naming the level, and creates nothing', async () => {
      const before = await namespaces();
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['ok', 'a\u0000b'] }),
        /body\.namespace\.1: contains a NUL character/,
      );
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['a\ud800b'] }),
        /body\.namespace\.0: contains a lone UTF-16 surrogate/,
      );
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['b\udc00'] }),
        /body\.namespace\.0: contains a lone UTF-16 surrogate/,
      );
      expect(await namespaces()).toEqual(before);
    });

    it('a NUL in a property value or key is refused, so a purge of the warehouse keeps working', async () => {
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', { name: 'props', schema: SAMPLE_SCHEMA, properties: { owner: 'x\u0000y' } }),
        /body\.properties\.owner: contains a NUL character/,
      );
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['keyed'], properties: { 'bad\u0000key': 'v' } }),
        /body\.properties\.bad\\u0000key: is a key that contains a NUL character/,
      );
      expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/plain/tables/props')).status).toBe(404);
      expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/keyed')).status).toBe(404);
      // The table property update path (a commit) is held to the same rule.
      expect((await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', { name: 'kept', schema: SAMPLE_SCHEMA })).status).toBe(200);
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables/kept', {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { note: '\u0000' } }],
        }),
        /body\.updates\.0\.updates\.note: contains a NUL character/,
      );
      const purged = await ice.call('DELETE', '/v1/{prefix}/namespaces/plain/tables/kept?purgeRequested=true');
      expect(purged.status, purged.text).toBe(204);
    });

    it('a NUL or a lone surrogate in a path segment or a query is a 400 naming it', async () => {
      expectIcebergBadRequest(await ice.call('GET', '/v1/{prefix}/namespaces/a%00b'), /path\.namespace: contains a NUL character/);
      expectIcebergBadRequest(await ice.call('GET', '/v1/{prefix}/namespaces/plain/tables/t%00'), /path\.table: contains a NUL character/);
      expectIcebergBadRequest(await ice.call('GET', '/v1/{prefix}/namespaces?parent=a%00'), /query\.parent: contains a NUL character/);
      // A lone surrogate percent-encoded (CESU-style %ED%A0%80) is not UTF-8: no parameter can be decoded from it.
      const undecodable = await p.call('GET', '/iceberg/v1/wh/namespaces/%ED%A0%80', { token: admin });
      expect(undecodable.status).toBe(400);
      expect(undecodable.body.errors).toEqual([{ in: 'path', field: '', message: 'is not valid percent-encoded UTF-8' }]);
      const search = await p.call('GET', '/api/v1/catalog/search?q=sales%00', { token: admin });
      expect(search.status).toBe(400);
      expect(search.headers.get('content-type')).toBe('application/problem+json');
      expect(search.body.errors).toEqual([{ in: 'query', field: 'q', message: 'contains a NUL character (U+0000), which cannot be stored' }]);
      // A lone surrogate cannot be percent-encoded as UTF-8; a JSON body is where one can arrive.
      const group = await p.call('POST', '/api/v1/groups', { token: admin, body: '{"name":"analysts","description":"half \\ud83e of an emoji"}' });
      expect(group.status).toBe(400);
      expect(group.body.errors).toEqual([
        { in: 'body', field: 'description', message: 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored' },
      ]);
    });

    // Where the fuzz first found 500s for these strings: each is a 400 naming the field, and nothing is created.
    const NUL = 'contains a NUL character (U+0000), which cannot be stored';
    const SURROGATE = 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored';
    it.each([
      ['an identity provider', '/api/v1/identity-providers', '{"name":"idp","issuer":"https://idp.example.com/\\u0000","audience":"lakeplane"}', 'issuer', NUL],
      [
        'an identity provider',
        '/api/v1/identity-providers',
        '{"name":"idp","issuer":"https://idp.example.com","audience":"lake\\udc00plane"}',
        'audience',
        SURROGATE,
      ],
      ['a warehouse', '/api/v1/warehouses', '{"name":"wh2","description":"a\\u0000b"}', 'description', NUL],
      ['a warehouse', '/api/v1/warehouses', '{"name":"wh2","owner":"\\ud800"}', 'owner', SURROGATE],
      ['a service account', '/api/v1/service-accounts', '{"name":"sa-nul","description":"\\u0000"}', 'description', NUL],
      ['a service account', '/api/v1/service-accounts', '{"name":"sa-nul","description":"x\\udbff"}', 'description', SURROGATE],
      ['a webhook', '/api/v1/webhooks', '{"url":"https://hooks.example.com/x","events":["*"],"description":"\\u0000"}', 'description', NUL],
      ['a job', '/api/v1/jobs', '{"name":"nul-job","type":"python","mainApplicationFile":"local:///a.py","arguments":["\\ud800"]}', 'arguments.0', SURROGATE],
    ])('a NUL or a lone surrogate in %s (%s) is a 400 naming the field', async (_what, route, body, field, message) => {
      const before = (await p.call('GET', route, { token: admin })).body;
      const r = await p.call('POST', route, { token: admin, body });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.errors).toEqual([{ in: 'body', field, message }]);
      expect((await p.call('GET', route, { token: admin })).body).toEqual(before);
    });

    it('a NUL in a dead-letter filter, or in a query key, is a 400 naming it', async () => {
      const filter = await p.call('GET', '/api/v1/events/dead-letters?type=io.lakeplane%00', { token: admin });
      expect(filter.status).toBe(400);
      expect(filter.body.errors).toEqual([{ in: 'query', field: 'type', message: NUL }]);
      const key = await p.call('GET', '/api/v1/events/dead-letters?ty%00pe=x', { token: admin });
      expect(key.status).toBe(400);
      expect(key.body.errors).toEqual([
        { in: 'query', field: 'ty\\u0000pe', message: 'is a key that contains a NUL character (U+0000), which cannot be stored' },
      ]);
    });
  });

  describe('names', () => {
    it('an emoji namespace and table are created, loaded, listed and dropped', async () => {
      const created = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['🦆', 'données'] });
      expect(created.status, created.text).toBe(200);
      expect(created.body.namespace).toEqual(['🦆', 'données']);
      const table = await ice.call('POST', `/v1/{prefix}/namespaces/${ns('🦆', 'données')}/tables`, { name: '表🐘', schema: SAMPLE_SCHEMA });
      expect(table.status, table.text).toBe(200);
      const loaded = await ice.call('GET', `/v1/{prefix}/namespaces/${ns('🦆', 'données')}/tables/${encodeURIComponent('表🐘')}`);
      expect(loaded.status, loaded.text).toBe(200);
      expect(loaded.body['metadata-location']).toContain('/%F0%9F%A6%86/');
      expect((await ice.call('GET', `/v1/{prefix}/namespaces/${ns('🦆', 'données')}/tables`)).body.identifiers).toEqual([
        { namespace: ['🦆', 'données'], name: '表🐘' },
      ]);
      expect((await ice.call('GET', `/v1/{prefix}/namespaces?parent=${encodeURIComponent('🦆')}`)).body.namespaces).toEqual([['🦆', 'données']]);
      expect((await ice.call('DELETE', `/v1/{prefix}/namespaces/${ns('🦆', 'données')}/tables/${encodeURIComponent('表🐘')}?purgeRequested=true`)).status).toBe(
        204,
      );
      expect((await ice.call('DELETE', `/v1/{prefix}/namespaces/${ns('🦆', 'données')}`)).status).toBe(204);
      expect((await ice.call('DELETE', `/v1/{prefix}/namespaces/${ns('🦆')}`)).status).toBe(204);
    });

    it('a table or a namespace level named as a path step (. .. ../../x) is a 400 naming the field', async () => {
      for (const name of ['../../x', '..', '.', 'a/../b', 'a\\..']) {
        expectIcebergBadRequest(
          await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', { name, schema: SAMPLE_SCHEMA }),
          /body\.name: must not be "\." or "\.\."/,
        );
        expectIcebergBadRequest(
          await ice.call('POST', '/v1/{prefix}/namespaces/plain/views', { name, schema: SAMPLE_SCHEMA, 'view-version': viewVersion(), properties: {} }),
          /body\.name: must not be/,
        );
      }
      expectIcebergBadRequest(await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['ok', '..'] }), /body\.namespace\.1: must not be "\." or "\.\."/);
      expectIcebergBadRequest(await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['../../x'] }), /body\.namespace\.0: must not be/);
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/tables/rename', {
          source: { namespace: ['plain'], name: 'x' },
          destination: { namespace: ['plain'], name: '..' },
        }),
        /body\.destination\.name: must not be/,
      );
      expectIcebergBadRequest(await ice.call('GET', `/v1/{prefix}/namespaces/${ns('plain', '..')}`), /path\.namespace\.1: must not be/);
      // Dots inside a name are just characters.
      expect((await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', { name: '..hidden..', schema: SAMPLE_SCHEMA })).status).toBe(200);
      expect((await ice.call('GET', '/v1/{prefix}/namespaces/plain/tables')).body.identifiers).toContainEqual({ namespace: ['plain'], name: '..hidden..' });
    });

    it('names and namespaces are bounded: level length, level count, the whole namespace', async () => {
      const before = await namespaces();
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['x'.repeat(900_000)] }),
        /body\.namespace\.0: must NOT have more than 255 characters/,
      );
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: Array.from({ length: 17 }, (_, i) => `l${i}`) }),
        /body\.namespace: must NOT have more than 16 items/,
      );
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['a'.repeat(255), 'b'.repeat(255), 'c'.repeat(10)] }),
        /body\.namespace: must be at most 512 characters/,
      );
      expectIcebergBadRequest(
        await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', { name: 't'.repeat(256), schema: SAMPLE_SCHEMA }),
        /body\.name: must NOT have more than 255 characters/,
      );
      expectIcebergBadRequest(await ice.call('GET', `/v1/{prefix}/namespaces/${'y'.repeat(4000)}`), /path\.namespace: must be at most 512 characters/);
      expect(await namespaces()).toEqual(before);
      // The bounds themselves are allowed, and made with their missing ancestors.
      const deepest = Array.from({ length: 16 }, (_, i) => `d${i}`);
      const created = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: deepest });
      expect(created.status, created.text).toBe(200);
      expect((await ice.call('HEAD', `/v1/{prefix}/namespaces/${ns(...deepest.slice(0, 8))}`)).status).toBe(204);
      expect((await ice.call('GET', `/v1/{prefix}/namespaces?parent=${ns(...deepest.slice(0, 15))}`)).body.namespaces).toEqual([deepest]);
      const wide = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['w'.repeat(255), 'é'.repeat(255)] });
      expect(wide.status, wide.text).toBe(200);
      // Names as long as allowed are reachable by path too (the router's parameter limit was 100 characters).
      expect((await ice.call('HEAD', `/v1/{prefix}/namespaces/${ns('w'.repeat(255), 'é'.repeat(255))}`)).status).toBe(204);
      const longName = 'n'.repeat(200);
      const long = await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', { name: longName, schema: SAMPLE_SCHEMA });
      expect(long.status, long.text).toBe(200);
      expect((await ice.call('GET', `/v1/{prefix}/namespaces/plain/tables/${longName}`)).status).toBe(200);
    });
  });

  describe('nesting', () => {
    it('1,000 and 10,000 nested struct types are a 400 in the ErrorModel naming where the body gets too deep', async () => {
      for (const depth of [1_000, 10_000]) {
        const r = await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', nestedStructs(depth));
        expectIcebergBadRequest(r, /^body\.schema\.fields\.0\.type\.fields\.0\.type\.[\w.]+: is nested deeper than 64 levels/);
        expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/plain/tables/deep')).status).toBe(404);
      }
      const platform = await p.call('POST', '/api/v1/groups', { token: admin, body: `{"name":"deep","description":${'['.repeat(5000)}${']'.repeat(5000)}}` });
      expect(platform.status).toBe(400);
      expect(platform.body.errors[0]).toMatchObject({
        in: 'body',
        field: 'description.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0',
      });
    });

    it('/healthz keeps answering, within 250 ms of work, while the pathological requests are served', async () => {
      // Built before measuring, so the client's own work (this process also runs the server) stays out of the probes.
      const hundredThousandLevels = JSON.stringify({ namespace: Array.from({ length: 100_000 }, (_, i) => `l${i % 10}`) });
      const bodies = [
        hundredThousandLevels,
        JSON.stringify({ namespace: ['x'.repeat(900_000)] }),
        nestedStructs(10_000),
        nestedStructs(1_000),
        JSON.stringify({ namespace: ['n', 'u\u0000'.repeat(50_000)] }),
      ];
      const bodyFiles = bodies.map((body, i) => {
        const file = path.join(root, `attack-${i}.json`);
        writeFileSync(file, body);
        return file;
      });
      // What a probe measures is the work this process (the server) did before /healthz was answered: its CPU time,
      // not the clock. A loop held by one request spends all of that wait computing; a process the OS paused (a loaded
      // machine: CI saw single probes of 120-300 ms of clock among hundreds of 1 ms ones while a Spark suite ran
      // beside it) spends none. The clock is kept for the failure message.
      const probe = async () => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const r = await fetch(`${p.url}/healthz`);
        await r.arrayBuffer();
        const used = process.cpuUsage(cpu);
        return { cpuMs: (used.user + used.system) / 1000, clockMs: performance.now() - started };
      };
      await probe();
      // The attacker is another process, as it would be: this process runs the server, and the attacker's own work
      // (encoding and sending megabytes) must not count against the server's loop.
      const attack = () =>
        new Promise<number[]>((resolve, reject) => {
          const child = spawn(process.execPath, ['-e', ATTACKER, p.url, `Bearer ${admin}`, ...bodyFiles], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.on('error', reject);
          child.on('close', () => (out.trim() ? resolve(JSON.parse(out) as number[]) : reject(new Error('the attacking process answered nothing'))));
        });
      // One round: every pathological request at once, /healthz probed back to back until they have all answered.
      // Before the fix one 100,000-level namespace held the event loop for seconds of CPU, so a probe waited that
      // long. The bound is on the worst probe. Quiet, the worst probe is 20-40 ms of clock here, and less of CPU; but
      // one probe may wait behind all five requests at once, and the process's CPU time includes its collector's
      // threads: CI under a full load once saw one probe of 109 ms of CPU. 250 ms keeps a margin over that and still
      // fails by an order of magnitude on the seconds the fix removed. (Speed itself is measured in bench/.)
      let pending = true;
      const attacked = attack().finally(() => (pending = false));
      const probes: Array<{ cpuMs: number; clockMs: number }> = [];
      while (pending) probes.push(await probe());
      expect(await attacked).toEqual([400, 400, 400, 400, 400]);
      const worst = Math.max(...probes.map((m) => m.cpuMs));
      expect(worst, JSON.stringify(probes.map((m) => [Math.round(m.cpuMs), Math.round(m.clockMs)]))).toBeLessThan(250);
    });

    it('a schema nested within the bound is accepted', async () => {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/plain/tables', nestedStructs(15));
      expect(r.status, r.text).toBe(200);
    });
  });

  describe('times and page tokens', () => {
    const get = (url: string) => p.call('GET', url, { token: admin });
    const token = (cursor: unknown) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

    it('a date-time RFC 3339 allows but no Date or store holds (a leap second, an hours-only offset, year 0000 or 10000) is a 400 naming it', async () => {
      const cases: Array<[string, string, string]> = [
        ['/api/v1/sql/history', 'from', '2016-12-31T23:59:60Z'],
        ['/api/v1/sql/history', 'to', '2020-01-01T00:00:00+00'],
        ['/api/v1/audit', 'since', '0000-01-01T00:00:00Z'],
        ['/api/v1/runs', 'until', '9999-12-31T23:59:59-23:59'],
      ];
      for (const [route, field, value] of cases) {
        const r = await get(`${route}?${field}=${encodeURIComponent(value)}`);
        expect(r.status, `${route}?${field}=${value}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body.errors).toEqual([expect.objectContaining({ in: 'query', field })]);
      }
      // The edges of four-digit years are fine.
      expect(
        (await get(`/api/v1/sql/history?from=${encodeURIComponent('0001-01-01T00:00:00Z')}&to=${encodeURIComponent('9999-12-31T23:59:59Z')}`)).status,
      ).toBe(200);
    });

    it('a page token with a made-up id or time is a 400 naming it, not a query that fails in the store', async () => {
      const forged = [
        token({ t: '2020-01-01T00:00:00.000Z', id: 'zz' }),
        token({ t: '0000-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }),
        token({ t: '+010000-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }),
        token({ t: '2020-01-01T23:59:60Z', id: '00000000-0000-4000-8000-000000000000' }),
      ];
      for (const t of forged) {
        const history = await get(`/api/v1/sql/history?page_token=${t}`);
        expect(history.status, JSON.stringify(history.body)).toBe(400);
        expect(history.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'page_token' })]);
        const users = await get(`/api/v1/users?pageToken=${t}`);
        expect(users.status, JSON.stringify(users.body)).toBe(400);
        expect(users.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'pageToken' })]);
      }
      expect((await get(`/api/v1/users?pageToken=${token({ t: '2020-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' })}`)).status).toBe(200);
    });

    it('a row-id page token past int8 (19 digits) is a 400 naming it, not a 500 from PostgreSQL', async () => {
      const huge = '9999999999999999999';
      const decisions = await get(`/api/v1/policies/decisions?pageToken=${huge}`);
      expect(decisions.status, JSON.stringify(decisions.body)).toBe(400);
      expect(decisions.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'pageToken' })]);
      const lakehouse = await p.call('POST', '/api/v1/lakehouses', { token: admin, body: { name: 'paged' } });
      expect(lakehouse.status).toBe(201);
      const activity = await get(`/api/v1/lakehouses/paged/activity?pageToken=${huge}`);
      expect(activity.status, JSON.stringify(activity.body)).toBe(400);
      expect(activity.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'pageToken' })]);
      const audit = await get(`/api/v1/audit?pageToken=${Buffer.from(huge).toString('base64url')}`);
      expect(audit.status, JSON.stringify(audit.body)).toBe(400);
      expect(audit.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'pageToken' })]);
      expect((await get(`/api/v1/policies/decisions?pageToken=${'9'.repeat(18)}`)).status).toBe(200);
    });
  });
});

function viewVersion() {
  return {
    'version-id': 1,
    'timestamp-ms': Date.now(),
    'schema-id': 0,
    summary: {},
    representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
    'default-namespace': ['plain'],
  };
}
