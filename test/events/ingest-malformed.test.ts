import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * A malformed or repeated CloudEvent gets a 4xx or an idempotent 2xx at /cloudevents/<function>, never a 5xx: the
 * same id from another source is another event (CloudEvents identifies an event by source and id), an event without
 * a source is refused naming it, and a batch with an element that is not an event is refused naming the element.
 */
describe.each(backends())('malformed and repeated CloudEvents on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let root: string;
  let jobId: string;

  const runsOf = async () => (await p.call('GET', `/api/v1/runs?job=${jobId}`, { token: admin })).body.items as Array<{ trigger: string; triggerRef: string }>;
  const committed = (id: string, source: string) => ({
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': source,
    'ce-type': 'io.lakeplane.catalog.table.committed.v1',
    'content-type': 'application/json',
  });
  const tableData = { warehouse: 'wh', namespace: ['sales'], name: 'orders', uuid: randomUUID() };
  const deliver = (fn: string, headers: Record<string, string>, body: unknown) =>
    p.call('POST', `/cloudevents/${fn}`, { token: admin, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    // A runtime that cannot reach a cluster: the runs stay QUEUED, which is all this test looks at.
    p = await startPlatform(backend, { env: { LAKEPLANE_JOBS_RUNTIME: 'kubernetes', LAKEPLANE_KUBECONFIG: '/nonexistent/kubeconfig' } });
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-ingest-'));
    const job = await p.call('POST', '/api/v1/jobs', {
      token: admin,
      body: { name: 'on-orders', type: 'python', mainApplicationFile: 'local:///app.py', triggers: [{ on: 'catalog.table.committed', warehouse: 'wh' }] },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    jobId = job.body.id;
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers handled, then duplicate, and takes the same id from another source as another event', async () => {
    const id = randomUUID();
    const first = await deliver('scheduler', committed(id, '/lakeplane/catalog'), tableData);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ id, source: '/lakeplane/catalog', outcome: 'handled' });
    const again = await deliver('scheduler', committed(id, '/lakeplane/catalog'), tableData);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    const elsewhere = await deliver('scheduler', committed(id, '/somewhere/else'), tableData);
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
    expect(elsewhere.body).toMatchObject({ id, source: '/somewhere/else', outcome: 'handled' });
    const elsewhereAgain = await deliver('scheduler', committed(id, '/somewhere/else'), tableData);
    expect(elsewhereAgain.body.outcome).toBe('duplicate');
    // One run per event: two events, two runs, each naming the event that started it.
    const runs = await runsOf();
    expect(runs.map((r) => r.trigger)).toEqual(['event', 'event']);
    expect(new Set(runs.map((r) => r.triggerRef))).toEqual(new Set([`/lakeplane/catalog#${id}`, `/somewhere/else#${id}`]));
  });

  it('refuses an event without a source with 400 naming it, and records nothing', async () => {
    const { 'ce-source': _, ...headers } = committed(randomUUID(), 'unused');
    const before = (await runsOf()).length;
    const r = await deliver('scheduler', headers, tableData);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toContain('json');
    expect(JSON.stringify(r.body)).toMatch(/source/);
    expect((await runsOf()).length).toBe(before);
  });

  it.each([
    ['id', 'ce-id'],
    ['type', 'ce-type'],
    ['specversion', 'ce-specversion'],
  ])('refuses an event without %s with 400 naming it', async (attribute, header) => {
    const headers: Record<string, string> = committed(randomUUID(), '/lakeplane/catalog');
    delete headers[header];
    const r = await deliver('scheduler', headers, tableData);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(JSON.stringify(r.body)).toContain(attribute);
  });

  it('refuses a structured event without a source with 400 naming it', async () => {
    const r = await deliver(
      'scheduler',
      { 'content-type': 'application/cloudevents+json' },
      { specversion: '1.0', id: randomUUID(), type: 'io.lakeplane.catalog.table.committed.v1', data: tableData },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/source/);
  });

  it.each([
    ['application/json', '[null,null]'],
    ['application/cloudevents-batch+json', '[null,null]'],
    ['application/cloudevents+json', 'null'],
    ['application/cloudevents+json', '[null,null]'],
  ])('refuses %s %s with 400, never 500', async (contentType, body) => {
    const r = await deliver('webhooks', { 'content-type': contentType }, body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toContain('json');
  });

  it('refuses a batch whose element is not an event with 400 naming the element', async () => {
    const r = await deliver('webhooks', { 'content-type': 'application/cloudevents-batch+json' }, '[null,null]');
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/\[0\]/);
  });
});
