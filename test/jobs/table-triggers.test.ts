import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { IcebergClient, SAMPLE_SCHEMA } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/** A commit to a catalog table starts the jobs whose trigger matches it, once per commit, and no others. */
describe.each(backends())('jobs triggered by catalog table commits on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let root: string;
  let ice: IcebergClient;
  const runsOf = async (jobId: string) =>
    (await p.call('GET', `/api/v1/runs?job=${jobId}`, { token: admin })).body.items as Array<{ trigger: string; triggerRef: string; requestedBy: string }>;

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_JOBS_RUNTIME: 'kubernetes', LAKEPLANE_KUBECONFIG: '/nonexistent/kubeconfig' } });
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-triggers-'));
    expect((await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } })).status).toBe(201);
    ice = new IcebergClient(p, admin, 'wh');
    expect((await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: ['sales'] })).status).toBe(200);
    for (const t of ['orders', 'returns'])
      expect((await ice.call('POST', '/v1/{prefix}/namespaces/sales/tables', { name: t, schema: SAMPLE_SCHEMA })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts the matching jobs once per commit', async () => {
    const make = async (name: string, trigger: Record<string, unknown>) => {
      const r = await p.call('POST', '/api/v1/jobs', {
        token: admin,
        body: { name, type: 'python', mainApplicationFile: 'local:///app.py', triggers: [{ on: 'catalog.table.committed', ...trigger }] },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const onOrders = await make('on-orders', { warehouse: 'wh', namespace: ['sales'], table: 'orders' });
    const onSales = await make('on-sales', { warehouse: 'wh', namespace: ['sales'] });
    const elsewhere = await make('on-other', { warehouse: 'other' });
    const commit = (table: string) =>
      ice.call('POST', `/v1/{prefix}/namespaces/sales/tables/${table}`, {
        requirements: [],
        updates: [{ action: 'set-properties', updates: { touched: String(Date.now()) } }],
      });
    expect((await commit('orders')).status).toBe(200);
    const runs = await waitFor('the orders job to start', async () => ((await runsOf(onOrders)).length === 1 ? runsOf(onOrders) : undefined));
    expect(runs[0]).toMatchObject({ trigger: 'event', requestedBy: 'catalog:wh.sales.orders' });
    await waitFor('the sales job to start', async () => ((await runsOf(onSales)).length === 1 ? true : undefined));
    expect((await commit('returns')).status).toBe(200);
    await waitFor('the sales job to start again', async () => ((await runsOf(onSales)).length === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(await runsOf(onOrders)).toHaveLength(1);
    expect(await runsOf(elsewhere)).toHaveLength(0);
  });
});
