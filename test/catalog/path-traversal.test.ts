import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLossless, stringifyJsonLossless } from '../../shared/json/index.js';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA, ns } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Issue 19, path traversal: no location a client names (or a name, or a metadata file) makes the catalog read, write
 * or delete outside its warehouse. The warehouse is <root>/wh; beside it <root>/outside and <root>/wh-evil (which
 * shares the warehouse's prefix as a string) hold canary files. After every test, everything outside <root>/wh is
 * exactly as it was: same files, same bytes, no new file or folder.
 */
const VIEW_VERSION = {
  'version-id': 1,
  'timestamp-ms': 1,
  'schema-id': 0,
  summary: {},
  representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
  'default-namespace': ['v'],
};

/** Every file and folder under dir except the warehouse's, with file contents. */
function outsideWarehouse(root: string, warehouseDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (full === warehouseDir) continue;
      if (e.isDirectory()) {
        out[`${path.relative(root, full)}/`] = '';
        walk(full);
      } else {
        out[path.relative(root, full)] = readFileSync(full, 'utf8');
      }
    }
  };
  walk(root);
  return out;
}

describe.each(backends())('catalog locations stay inside the warehouse on %s', (backend) => {
  let p: TestPlatform;
  let ice: IcebergClient;
  let root: string;
  let whDir: string;
  let wh: string;
  let before: Record<string, string>;
  /** A valid table metadata file outside the warehouse: registering it must not read it. */
  let stolen: string;

  const expectRefused = (r: { status: number; text: string; body: { error?: { type?: string; message?: string } } }, status: 400 | 403, field: RegExp) => {
    expect(r.status, r.text).toBe(status);
    expect(r.body.error?.type).toBe(status === 400 ? 'BadRequestException' : 'ForbiddenException');
    expect(r.body.error?.message).toMatch(field);
  };

  beforeAll(async () => {
    p = await startPlatform(backend);
    const admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-traversal-'));
    whDir = path.join(root, 'wh');
    mkdirSync(whDir);
    mkdirSync(path.join(root, 'outside'));
    mkdirSync(path.join(root, 'wh-evil'));
    writeFileSync(path.join(root, 'outside', 'canary.txt'), 'must stay');
    writeFileSync(path.join(root, 'wh-evil', 'canary.txt'), 'must stay too');
    wh = pathToFileURL(whDir).href;
    expect((await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: wh } })).status).toBe(201);
    ice = new IcebergClient(p, admin, 'wh');
    expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['db'] })).status).toBe(200);
    // A genuine metadata file, copied outside the warehouse with a uuid of its own.
    const source = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'source', schema: SAMPLE_SCHEMA });
    expect(source.status, source.text).toBe(200);
    stolen = path.join(root, 'outside', 'stolen.metadata.json');
    writeFileSync(stolen, stringifyJsonLossless({ ...(source.body.metadata as object), 'table-uuid': randomUUID() }));
    before = outsideWarehouse(root, whDir);
  });
  afterEach(() => {
    expect(outsideWarehouse(root, whDir)).toEqual(before);
  });
  afterAll(async () => {
    await p?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['a ".." segment', (w: string) => `${w}/../outside/t`],
    ['".." deeper down', (w: string) => `${w}/db/../../outside/t`],
    ['%2e%2e', (w: string) => `${w}/%2e%2e/outside/t`],
    ['%2E%2E', (w: string) => `${w}/%2E%2E/outside/t`],
    ['.%2e', (w: string) => `${w}/.%2e/outside/t`],
    ['a "." segment', (w: string) => `${w}/./t`],
    ['an encoded "/"', (w: string) => `${w}/t%2F..%2F..%2Foutside`],
    ['an encoded "\\"', (w: string) => `${w}/t%5C..%5C..%5Coutside`],
    ['a backslash', (w: string) => `${w}/t\\..\\..\\outside`],
    ['a NUL', (w: string) => `${w}/t\u0000x`],
    ['an encoded NUL', (w: string) => `${w}/t%00x`],
    ['a "?" that ends the path for some readers', (w: string) => `${w}/t?/../../outside`],
    ['Java\'s file:/ form with ".."', (w: string) => `${w.replace('file:///', 'file:/')}/../outside/t`],
  ])('createTable refuses a location with %s: 400 naming the field, nothing written', async (_, make) => {
    for (const stage of [false, true]) {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', {
        name: `t${randomUUID().slice(0, 8)}`,
        schema: SAMPLE_SCHEMA,
        location: make(wh),
        'stage-create': stage,
      });
      expectRefused(r, 400, /location/);
    }
  });

  it("createTable refuses a sibling that shares the warehouse's prefix, or another place, with 403 as before", async () => {
    for (const location of [`${wh}-evil/t`, pathToFileURL(path.join(root, 'outside', 't')).href, 'file:///etc/t']) {
      expectRefused(
        await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'sibling', schema: SAMPLE_SCHEMA, location }),
        403,
        /location .* is outside warehouse wh/,
      );
    }
  });

  it('write.metadata.path and write.data.path are checked like a location, at create and at commit', async () => {
    for (const key of ['write.metadata.path', 'write.data.path']) {
      const created = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', {
        name: 'props',
        schema: SAMPLE_SCHEMA,
        properties: { [key]: `${wh}/../outside/x` },
      });
      expectRefused(created, 400, new RegExp(`properties\\.${key.replace(/\./g, '\\.')}`));
      const elsewhere = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', {
        name: 'props',
        schema: SAMPLE_SCHEMA,
        properties: { [key]: `${wh}-evil` },
      });
      expectRefused(elsewhere, 403, new RegExp(`property ${key.replace(/\./g, '\\.')} .* is outside warehouse wh`));
    }
    const t = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'committed', schema: SAMPLE_SCHEMA });
    expect(t.status, t.text).toBe(200);
    for (const updates of [
      [{ action: 'set-properties', updates: { 'write.metadata.path': `${wh}/%2e%2e/outside` } }],
      [{ action: 'set-properties', updates: { 'write.data.path': `${wh}/db/../../outside` } }],
      [{ action: 'set-location', location: `${wh}/../outside/moved` }],
    ]) {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables/committed', { requirements: [], updates });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.type).toBe('BadRequestException');
    }
    // The table is as it was, and still loads.
    const loaded = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/committed');
    expect(loaded.body['metadata-location']).toBe(t.body['metadata-location']);
  });

  it('a namespace location property is checked when created and when updated', async () => {
    expectRefused(
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['placed'], properties: { location: `${wh}/../outside/placed` } }),
      400,
      /properties\.location/,
    );
    expectRefused(
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['placed'], properties: { location: `${wh}/%2e%2e/outside` } }),
      400,
      /properties\.location/,
    );
    expectRefused(
      await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['placed'], properties: { location: `${wh}-evil/placed` } }),
      403,
      /property location .* is outside warehouse wh/,
    );
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/placed')).status).toBe(404);
    expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['moved'] })).status).toBe(200);
    expectRefused(
      await ice.call('POST', '/v1/{prefix}/namespaces/moved/properties', { updates: { location: `${wh}/moved/../../outside` } }),
      400,
      /updates\.location/,
    );
    expect((await ice.call('GET', '/v1/{prefix}/namespaces/moved')).body.properties.location).toBe(`${wh}/moved`);
  });

  it('names made of dots or separators never lead a derived location out of the warehouse', async () => {
    // Name validation may refuse some of these outright (400); whatever it lets through must land inside.
    const levels = ['dots', '..', '..'];
    const created = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: levels });
    expect([200, 400]).toContain(created.status);
    const namespaces = created.status === 200 ? [ns(...levels), 'db'] : ['db'];
    for (const namespace of namespaces) {
      for (const name of ['..', '.', '../../outside/x', '..\\..\\outside', '%2e%2e', 'a%2Fb']) {
        const r = await ice.call('POST', `/v1/{prefix}/namespaces/${namespace}/tables`, { name, schema: SAMPLE_SCHEMA });
        expect([200, 400], r.text).toContain(r.status);
        if (r.status !== 200) continue;
        const file = fileURLToPath(r.body['metadata-location']);
        expect(file.startsWith(`${whDir}${path.sep}`), file).toBe(true);
        expect(readFileSync(file, 'utf8')).toContain(r.body.metadata['table-uuid']);
      }
    }
  });

  it('register never reads a metadata file outside the warehouse, however it is spelled', async () => {
    const cases: Array<[string, 400 | 403]> = [
      [`${wh}/../outside/stolen.metadata.json`, 400],
      [`${wh}/%2e%2e/outside/stolen.metadata.json`, 400],
      [`${wh}/../../../../../../../../etc/passwd`, 400],
      [`${wh}/db%2F..%2F..%2Foutside%2Fstolen.metadata.json`, 400],
      [pathToFileURL(stolen).href, 403],
      [`${wh}-evil/canary.txt`, 403],
    ];
    for (const [location, status] of cases) {
      const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/register', { name: 'stolen', 'metadata-location': location });
      expectRefused(r, status, /metadata-location/);
      // Refused before reading: no sign the file was opened or parsed.
      expect(r.body.error.message, location).not.toMatch(/JSON|does not exist|not view metadata/);
    }
    expect((await ice.call('HEAD', '/v1/{prefix}/namespaces/db/tables/stolen')).status).toBe(404);
  });

  it('register refuses a metadata file inside the warehouse whose table lies outside it', async () => {
    const inside = path.join(whDir, 'db', 'foreign.metadata.json');
    const source = parseJsonLossless(readFileSync(stolen, 'utf8')) as Record<string, unknown>;
    writeFileSync(inside, stringifyJsonLossless({ ...source, 'table-uuid': randomUUID(), location: `${wh}/../outside` }));
    const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/register', { name: 'foreign', 'metadata-location': pathToFileURL(inside).href });
    expectRefused(r, 400, /metadata-location/);
  });

  it('views: createView and a view commit refuse locations that leave the warehouse', async () => {
    expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['v'] })).status).toBe(200);
    const body = { name: 'daily', schema: SAMPLE_SCHEMA, 'view-version': VIEW_VERSION, properties: {} };
    expectRefused(await ice.call('POST', '/v1/{prefix}/namespaces/v/views', { ...body, location: `${wh}/../outside/v` }), 400, /location/);
    expectRefused(
      await ice.call('POST', '/v1/{prefix}/namespaces/v/views', { ...body, properties: { 'write.metadata.path': `${wh}/%2E%2E/outside` } }),
      400,
      /write\.metadata\.path/,
    );
    const created = await ice.call('POST', '/v1/{prefix}/namespaces/v/views', body);
    expect(created.status, created.text).toBe(200);
    const r = await ice.call('POST', '/v1/{prefix}/namespaces/v/views/daily', {
      requirements: [],
      updates: [{ action: 'set-location', location: `${wh}/v/../../outside` }],
    });
    expect(r.status, r.text).toBe(400);
    expectRefused(
      await ice.call('POST', '/v1/{prefix}/namespaces/v/register-view', { name: 'stolen', 'metadata-location': `${wh}/../outside/stolen.metadata.json` }),
      400,
      /metadata-location/,
    );
  });

  it('a purge never deletes outside the warehouse, even for a table stored before the checks', async () => {
    const t = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'legacy', schema: SAMPLE_SCHEMA });
    expect(t.status, t.text).toBe(200);
    // As a row written before this fix could hold it: a data path that climbs out of the warehouse.
    const db = p.running.platform.store.db;
    const row = await db.selectFrom('catalog_objects').select(['id', 'metadata']).where('id', '=', t.body.metadata['table-uuid']).executeTakeFirstOrThrow();
    const metadata = parseJsonLossless(row.metadata) as { properties: Record<string, string> };
    metadata.properties['write.data.path'] = `${wh}/../outside`;
    await db
      .updateTable('catalog_objects')
      .set({ metadata: stringifyJsonLossless(metadata) })
      .where('id', '=', row.id)
      .execute();
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/db/tables/legacy?purgeRequested=true')).status).toBe(204);
    // The table's own folder, inside the warehouse, is gone; the afterEach check shows the outside is untouched.
    expect(() => readFileSync(fileURLToPath(t.body['metadata-location']))).toThrow();
  });

  it('a commit that drops old metadata files never deletes one its log names outside the warehouse', async () => {
    const source = parseJsonLossless(readFileSync(stolen, 'utf8')) as Record<string, unknown>;
    const uuid = randomUUID();
    const planted = path.join(whDir, 'db', 'planted.metadata.json');
    const canary = `${wh}/../outside/canary.txt`;
    writeFileSync(
      planted,
      stringifyJsonLossless({ ...source, 'table-uuid': uuid, location: `${wh}/db/planted`, 'metadata-log': [{ 'timestamp-ms': 1, 'metadata-file': canary }] }),
    );
    const registered = await ice.call('POST', '/v1/{prefix}/namespaces/db/register', { name: 'planted', 'metadata-location': pathToFileURL(planted).href });
    expect(registered.status, registered.text).toBe(200);
    const r = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables/planted', {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '1' } }],
    });
    expect(r.status, r.text).toBe(200);
    const second = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables/planted', {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { again: '1' } }],
    });
    expect(second.status, second.text).toBe(200);
  });

  it('loadTable does not probe a metadata location outside the warehouse stored before the checks', async () => {
    const t = await ice.call('POST', '/v1/{prefix}/namespaces/db/tables', { name: 'probe', schema: SAMPLE_SCHEMA });
    expect(t.status, t.text).toBe(200);
    await p.running.platform.store.db
      .updateTable('catalog_objects')
      .set({ metadata_location: `${wh}/../outside/canary.txt` })
      .where('id', '=', t.body.metadata['table-uuid'])
      .execute();
    const r = await ice.call('GET', '/v1/{prefix}/namespaces/db/tables/probe');
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.message).toMatch(/".."/);
  });

  it('a warehouse location that is ambiguous itself is refused with 400 naming storageLocation', async () => {
    const admin = await p.adminToken();
    for (const storageLocation of [`${wh}/../outside`, `${wh}/%2e%2e/outside`, `${wh}/a%2Fb`]) {
      const r = await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: `bad${randomUUID().slice(0, 6)}`, storageLocation } });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(JSON.stringify(r.body)).toContain('storageLocation');
    }
  });
});
