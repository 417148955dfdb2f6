import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { IcebergClient, ns } from '../support/iceberg-client.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/** Catalog discovery (annotations and search) through real HTTP, over tables made with the Iceberg REST API. */
const API = '/api/v1/catalog';
const WH = `${API}/warehouses/wh`;

const ORDERS_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'order_id', required: true, type: 'long' },
    { id: 2, name: 'customer_id', required: false, type: 'long', doc: 'Who placed the order' },
    { id: 3, name: 'amount', required: false, type: 'decimal(10,2)' },
    {
      id: 4,
      name: 'shipTo',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 5, name: 'city', required: false, type: 'string' },
          { id: 6, name: 'zip', required: false, type: 'string' },
        ],
      },
    },
  ],
};
const SIMPLE_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'note', required: false, type: 'string' },
  ],
};

describe.each(backends())('catalog discovery on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  let ice: IcebergClient;
  let root: string;

  const call = (method: string, url: string, body?: unknown, token?: string) =>
    p.call(method, url, { token: token ?? admin, ...(body !== undefined ? { body } : {}) });
  const search = async (query: string, token?: string) => {
    const r = await call('GET', `${API}/search?${query}`, undefined, token);
    return r;
  };
  const hitsOf = (r: { body: any }) =>
    (r.body.items as any[]).map((h) =>
      h.kind === 'column'
        ? `column ${h.namespace.join('.')}.${h.name}.${h.column}`
        : `${h.kind} ${[...(h.namespace ?? []), h.kind === 'namespace' ? null : h.name].filter(Boolean).join('.')}`,
    );

  async function createNamespace(...levels: string[]) {
    const r = await ice.call('POST', '/v1/{prefix}/namespaces', { namespace: levels });
    expect(r.status, r.text).toBe(200);
  }
  async function createTable(levels: string[], name: string, schema: unknown = SIMPLE_SCHEMA) {
    const r = await ice.call('POST', `/v1/{prefix}/namespaces/${ns(...levels)}/tables`, { name, schema });
    expect(r.status, r.text).toBe(200);
    return r.body;
  }

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-discovery-'));
    const wh = await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'wh', storageLocation: pathToFileURL(root).href } });
    expect(wh.status).toBe(201);
    ice = new IcebergClient(p, admin, 'wh');
    await createNamespace('sales');
    await createNamespace('sales', 'emea');
    await createTable(['sales'], 'orders', ORDERS_SCHEMA);
    await createTable(['sales', 'emea'], 'invoices');
    const view = await ice.call('POST', `/v1/{prefix}/namespaces/sales/views`, {
      name: 'daily_revenue',
      schema: {
        type: 'struct',
        'schema-id': 0,
        fields: [
          { id: 1, name: 'day', required: false, type: 'date' },
          { id: 2, name: 'revenue_eur', required: false, type: 'double' },
        ],
      },
      'view-version': {
        'version-id': 1,
        'timestamp-ms': Date.now(),
        'schema-id': 0,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        'default-namespace': ['sales'],
      },
      properties: {},
    });
    expect(view.status, view.text).toBe(200);
  });
  afterAll(async () => {
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('annotates a warehouse, a namespace, a table, a view and a column, each with its own version', async () => {
    const w = await call('PATCH', WH, { description: 'The main lakehouse', owner: 'group:platform', tags: ['prod'] });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body).toMatchObject({ kind: 'warehouse', warehouse: 'wh', description: 'The main lakehouse', owner: 'group:platform', tags: ['prod'] });
    // The warehouse route sees the same fields.
    expect((await call('GET', '/api/v1/warehouses/wh')).body).toMatchObject({
      description: 'The main lakehouse',
      owner: 'group:platform',
      tags: ['prod'],
      version: w.body.version,
    });

    const n0 = await call('GET', `${WH}/namespaces/sales`);
    expect(n0.body).toEqual({
      kind: 'namespace',
      warehouse: 'wh',
      namespace: ['sales'],
      description: null,
      owner: null,
      tags: [],
      version: 1,
      updatedAt: null,
    });
    const n = await call('PATCH', `${WH}/namespaces/sales`, { description: 'Everything we sell', owner: 'user:ada', version: 1 });
    expect(n.status).toBe(200);
    expect(n.body).toMatchObject({ namespace: ['sales'], description: 'Everything we sell', owner: 'user:ada', version: 2 });
    expect(Date.parse(n.body.updatedAt)).toBeGreaterThan(0);

    const t = await call('PATCH', `${WH}/namespaces/sales/tables/orders`, {
      description: 'One row per order, revenue in EUR',
      owner: 'user:ada',
      tags: ['finance', 'gold'],
    });
    expect(t.body).toMatchObject({
      kind: 'table',
      namespace: ['sales'],
      name: 'orders',
      description: 'One row per order, revenue in EUR',
      owner: 'user:ada',
      tags: ['finance', 'gold'],
      version: 2,
    });
    const v = await call('PATCH', `${WH}/namespaces/sales/views/daily_revenue`, { description: 'Revenue by day', tags: ['gold'] });
    expect(v.body).toMatchObject({ kind: 'view', name: 'daily_revenue', tags: ['gold'], version: 2 });

    const cols = await call('GET', `${WH}/namespaces/sales/tables/orders/columns`);
    expect(cols.status).toBe(200);
    expect(cols.body.items.map((c: any) => [c.column, c.fieldId, c.type, c.required])).toEqual([
      ['order_id', 1, 'long', true],
      ['customer_id', 2, 'long', false],
      ['amount', 3, 'decimal(10,2)', false],
      ['shipTo', 4, 'struct', false],
      ['shipTo.city', 5, 'string', false],
      ['shipTo.zip', 6, 'string', false],
    ]);
    expect(cols.body.items[1]).toMatchObject({ doc: 'Who placed the order', description: null, tags: [], version: 0, updatedAt: null });

    const c = await call('PATCH', `${WH}/namespaces/sales/tables/orders/columns/customer_id`, { description: 'The buyer', tags: ['pii'], version: 0 });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body).toMatchObject({
      kind: 'column',
      objectKind: 'table',
      name: 'orders',
      column: 'customer_id',
      fieldId: 2,
      doc: 'Who placed the order',
      description: 'The buyer',
      tags: ['pii'],
      version: 1,
    });
    const nested = await call('PATCH', `${WH}/namespaces/sales/tables/orders/columns/${encodeURIComponent('shipTo.city')}`, { addTags: ['pii', 'geo'] });
    expect(nested.body).toMatchObject({ column: 'shipTo.city', fieldId: 5, tags: ['pii', 'geo'] });
    expect((await call('GET', `${WH}/namespaces/sales/tables/orders/columns/shipTo.city`)).body.tags).toEqual(['pii', 'geo']);
    const viewColumn = await call('PATCH', `${WH}/namespaces/sales/views/daily_revenue/columns/revenue_eur`, { description: 'Gross, in EUR' });
    expect(viewColumn.body).toMatchObject({ objectKind: 'view', column: 'revenue_eur', description: 'Gross, in EUR' });
  });

  it('edits tags in place, and clears fields with null', async () => {
    const url = `${WH}/namespaces/sales/emea`.replace('sales/emea', ns('sales', 'emea'));
    expect((await call('PATCH', url, { tags: ['a', 'b', 'c'] })).body.tags).toEqual(['a', 'b', 'c']);
    expect((await call('PATCH', url, { addTags: ['d', 'a'], removeTags: ['b'] })).body.tags).toEqual(['a', 'c', 'd']);
    const described = await call('PATCH', url, { description: 'EMEA sales', owner: 'user:bob' });
    expect(described.body).toMatchObject({ namespace: ['sales', 'emea'], description: 'EMEA sales', owner: 'user:bob', tags: ['a', 'c', 'd'] });
    const cleared = await call('PATCH', url, { description: null, owner: null, tags: [] });
    expect(cleared.body).toMatchObject({ description: null, owner: null, tags: [] });
  });

  it('tells a level containing a dot from nested levels, in paths and in the namespace filter', async () => {
    await createNamespace('fin.ops');
    await createNamespace('fin', 'ops');
    await createTable(['fin.ops'], 'ledger');
    await createTable(['fin', 'ops'], 'ledger');
    expect((await call('PATCH', `${WH}/namespaces/fin.ops/tables/ledger`, { description: 'dotted ledger' })).status).toBe(200);
    expect((await call('PATCH', `${WH}/namespaces/${ns('fin', 'ops')}/tables/ledger`, { description: 'nested ledger' })).status).toBe(200);
    expect((await call('GET', `${WH}/namespaces/fin.ops/tables/ledger`)).body).toMatchObject({ namespace: ['fin.ops'], description: 'dotted ledger' });
    expect((await call('GET', `${WH}/namespaces/fin%1Fops/tables/ledger`)).body).toMatchObject({ namespace: ['fin', 'ops'], description: 'nested ledger' });
    // A client that encoded the separator twice sends a literal "%1F"; it names the nested namespace too.
    expect((await call('GET', `${WH}/namespaces/fin%251Fops/tables/ledger`)).body.namespace).toEqual(['fin', 'ops']);

    const dotted = await search(`q=ledger&warehouse=wh&namespace=${encodeURIComponent('fin.ops')}`);
    expect(hitsOf(dotted)).toEqual(['table fin.ops.ledger']);
    const nested = await search(`q=ledger&warehouse=wh&namespace=fin`);
    expect(hitsOf(nested)).toEqual(['table fin.ops.ledger']);
    expect(nested.body.items[0]).toMatchObject({ namespace: ['fin', 'ops'], description: 'nested ledger', href: `${WH}/namespaces/fin%1Fops/tables/ledger` });
    expect((await call('GET', nested.body.items[0].href)).body.description).toBe('nested ledger');
  });

  it('finds by name prefix, description, tag and column name, ranked, saying what matched', async () => {
    const byName = await search('q=orde');
    expect(hitsOf(byName)[0]).toBe('table sales.orders');
    expect(byName.body.items[0]).toMatchObject({
      warehouse: 'wh',
      namespace: ['sales'],
      name: 'orders',
      owner: 'user:ada',
      tags: ['finance', 'gold'],
      href: `${WH}/namespaces/sales/tables/orders`,
    });
    expect(byName.body.items[0].matchedFields).toContain('name');
    // The exact name ranks first; a column named like it ranks below.
    const exact = await search('q=orders');
    expect(hitsOf(exact)[0]).toBe('table sales.orders');

    const cust = await search('q=cust');
    expect(hitsOf(cust)).toEqual(expect.arrayContaining(['column sales.orders.customer_id', 'table sales.orders']));
    const column = cust.body.items.find((h: any) => h.kind === 'column');
    expect(column).toMatchObject({
      column: 'customer_id',
      fieldId: 2,
      objectKind: 'table',
      description: 'The buyer',
      tags: ['pii'],
      owner: 'user:ada',
      matchedFields: ['name'],
      href: `${WH}/namespaces/sales/tables/orders/columns/customer_id`,
    });
    const table = cust.body.items.find((h: any) => h.kind === 'table');
    expect(table).toMatchObject({ matchedFields: ['columns'], matchedColumns: ['customer_id'] });
    expect(column.score).toBeGreaterThan(table.score);
    // Every spelling of the name.
    for (const q of ['customer_id', 'customer id', 'customerId', 'customerid', 'CUSTOMER_ID']) {
      expect(hitsOf(await search(`q=${encodeURIComponent(q)}&kind=column`)), q).toEqual(['column sales.orders.customer_id']);
    }
    // camelCase and nested names.
    expect(hitsOf(await search('q=ship%20city&kind=column'))).toEqual(['column sales.orders.shipTo.city']);

    // The view has "revenue" in its name, the table only in its description: the view ranks first.
    const byDescription = await search('q=revenue%20eur&kind=table,view');
    expect(hitsOf(byDescription)).toEqual(['view sales.daily_revenue', 'table sales.orders']);
    expect(byDescription.body.items[0].matchedFields).toEqual(['name', 'description', 'columns']);
    expect(byDescription.body.items[0].matchedColumns).toEqual(['revenue_eur']);
    expect(byDescription.body.items[1].matchedFields).toEqual(['description']);

    const byTag = await search('q=pii');
    expect(hitsOf(byTag).sort()).toEqual(['column sales.orders.customer_id', 'column sales.orders.shipTo.city']);
    expect(byTag.body.items[0].matchedFields).toEqual(['tags']);
    // Column descriptions and Iceberg docs are searched with the column's name: all words must be in the column.
    expect(hitsOf(await search('q=buyer%20customer&kind=column'))).toEqual(['column sales.orders.customer_id']);
    expect(hitsOf(await search('q=placed&kind=column'))).toEqual(['column sales.orders.customer_id']);
    expect(hitsOf(await search('q=buyer%20city&kind=column'))).toEqual([]);

    expect(hitsOf(await search('q=lakehouse'))).toEqual(['warehouse wh']);
    expect(hitsOf(await search('q=emea&kind=namespace'))).toEqual(['namespace sales.emea']);
    expect((await search('q=nothingmatchesthis')).body).toEqual({ items: [], nextPageToken: null });
  });

  it('sees a column added by an Iceberg commit at once, and keeps annotations across a rename by field id', async () => {
    await createNamespace('evolve');
    const created = await createTable(['evolve'], 'customers', {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 'mail', required: false, type: 'string' },
      ],
    });
    expect(hitsOf(await search('q=loyalty'))).toEqual([]);
    const annotated = await call('PATCH', `${WH}/namespaces/evolve/tables/customers/columns/mail`, { description: 'Contact address', tags: ['pii'] });
    expect(annotated.body.version).toBe(1);
    const tableVersion = (await call('GET', `${WH}/namespaces/evolve/tables/customers`)).body.version;

    const schema = created.metadata.schemas[0];
    const commit = await ice.call('POST', '/v1/{prefix}/namespaces/evolve/tables/customers', {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }],
      updates: [
        {
          action: 'add-schema',
          schema: {
            ...schema,
            'schema-id': 1,
            fields: [schema.fields[0], { ...schema.fields[1], name: 'email' }, { id: 3, name: 'loyalty_tier', required: false, type: 'string' }],
          },
          'last-column-id': 3,
        },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(commit.status, commit.text).toBe(200);

    expect(hitsOf(await search('q=loyalty'))).toEqual(['column evolve.customers.loyalty_tier', 'table evolve.customers']);
    expect((await search('q=loyalty&kind=table')).body.items[0]).toMatchObject({ matchedFields: ['columns'], matchedColumns: ['loyalty_tier'] });
    // The renamed column keeps its annotations (field id 2); its old name is gone from the schema and from search.
    expect((await call('GET', `${WH}/namespaces/evolve/tables/customers/columns/email`)).body).toMatchObject({
      fieldId: 2,
      description: 'Contact address',
      tags: ['pii'],
      version: 1,
    });
    expect((await call('GET', `${WH}/namespaces/evolve/tables/customers/columns/mail`)).status).toBe(404);
    expect(hitsOf(await search('q=email&kind=column&warehouse=wh&namespace=evolve'))).toEqual(['column evolve.customers.email']);
    expect(hitsOf(await search('q=mail&warehouse=wh&namespace=evolve'))).toEqual([]);
    expect((await call('GET', `${WH}/namespaces/evolve/tables/customers/columns`)).body.items.map((c: any) => c.column)).toEqual([
      'id',
      'email',
      'loyalty_tier',
    ]);

    // A commit does not move the annotations' version: an edit made against the version read before it applies.
    const after = await call('PATCH', `${WH}/namespaces/evolve/tables/customers`, { description: 'Customer master data', version: tableVersion });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(hitsOf(await search('q=master%20data'))).toEqual(['table evolve.customers']);

    // Dropping the table takes its annotations and its columns out of search.
    expect((await ice.call('DELETE', '/v1/{prefix}/namespaces/evolve/tables/customers')).status).toBe(204);
    expect(hitsOf(await search('q=loyalty'))).toEqual([]);
    expect(hitsOf(await search('q=contact'))).toEqual([]);
    const leftovers = await p.running.platform.store.db
      .selectFrom('catalog_column_annotations')
      .select('field_id')
      .where('description', '=', 'Contact address')
      .execute();
    expect(leftovers).toEqual([]);
  });

  it('filters by kind, warehouse, namespace subtree, tag and owner; tag and owner work without q', async () => {
    expect(hitsOf(await search('q=gold&kind=view'))).toEqual(['view sales.daily_revenue']);
    expect(hitsOf(await search('tag=gold')).sort()).toEqual(['table sales.orders', 'view sales.daily_revenue']);
    expect(hitsOf(await search('tag=gold&tag=finance'))).toEqual(['table sales.orders']);
    expect(hitsOf(await search('tag=pii&kind=column')).sort()).toEqual(['column sales.orders.customer_id', 'column sales.orders.shipTo.city']);
    expect(hitsOf(await search('owner=user%3Aada&kind=namespace,table'))).toEqual(['namespace sales', 'table sales.orders']);
    expect(hitsOf(await search('q=sales&kind=namespace&warehouse=wh&namespace=sales'))).toEqual(['namespace sales', 'namespace sales.emea']);
    expect(hitsOf(await search(`q=invoices&warehouse=wh&namespace=${ns('sales', 'emea')}`))).toEqual(['table sales.emea.invoices']);
    expect(hitsOf(await search(`q=orders&warehouse=wh&namespace=${ns('sales', 'emea')}`))).toEqual([]);
    // Tags filter exactly (case-sensitive), not by prefix.
    expect(hitsOf(await search('tag=gol'))).toEqual([]);
  });

  it('pages with opaque tokens that neither repeat nor skip while tables are created between pages', async () => {
    await createNamespace('paging');
    const names = Array.from({ length: 12 }, (_, i) => `paged_${String(i + 10).padStart(3, '0')}`);
    for (const n of names) await createTable(['paging'], n);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const r = await search(`q=paged&kind=table&pageSize=5${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(5);
      seen.push(...r.body.items.map((h: any) => h.name));
      token = r.body.nextPageToken;
      if (pages === 0) {
        // One sorts before everything served, one after: only the later one may show up, and nothing repeats.
        await createTable(['paging'], 'paged_000');
        await createTable(['paging'], 'paged_999');
        expect(token).toBeTruthy();
        const other = await search(`q=paging&kind=table&pageSize=5&pageToken=${encodeURIComponent(token!)}`);
        expect(other.status).toBe(400);
        expect(other.body.errors[0]).toMatchObject({ in: 'query', field: 'pageToken' });
      }
      pages++;
    } while (token && pages < 10);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((n) => names.includes(n))).toEqual(names);
    expect(seen).toContain('paged_999');
    expect(seen).not.toContain('paged_000');
  });

  it('serializes concurrent changes: a stale version gets 409, tag additions all land', async () => {
    const url = `${WH}/namespaces/sales/tables/orders`;
    const { version } = (await call('GET', url)).body;
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => call('PATCH', url, { description: `writer ${i}`, version })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = racing.find((r) => r.status === 200)!;
    expect(winner.body.version).toBe(version + 1);
    expect(racing.find((r) => r.status === 409)!.body).toMatchObject({
      status: 409,
      detail: expect.stringContaining(`version ${version + 1}, not ${version}`),
    });
    expect((await call('GET', url)).body.description).toBe(winner.body.description);

    const adds = await Promise.all(Array.from({ length: 6 }, (_, i) => call('PATCH', `${url}/columns/amount`, { addTags: [`t${i}`] })));
    expect(adds.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const column = (await call('GET', `${url}/columns/amount`)).body;
    expect([...column.tags].sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
    expect(column.version).toBe(6);
  });

  it('announces changes as CloudEvents through the outbox', async () => {
    const seen: any[] = [];
    p.running.platform.inProcessTransport!.subscribe('io.lakeplane.catalog.annotations.updated.v1', async (e) => void seen.push(e));
    const r = await call('PATCH', `${WH}/namespaces/sales/tables/orders/columns/order_id`, { description: 'Primary key' });
    const event = await waitFor('the annotation event', () => seen.find((e) => e.data.column === 'order_id'));
    expect(event.data).toMatchObject({
      target: 'column',
      warehouse: 'wh',
      namespace: ['sales'],
      name: 'orders',
      column: 'order_id',
      fieldId: 1,
      changed: ['description'],
      version: r.body.version,
      actor: 'user:admin',
    });
  });

  it('refuses bad input with 400 naming the field, and changes nothing', async () => {
    const url = `${WH}/namespaces/sales/tables/orders`;
    const before = (await call('GET', url)).body;
    const bodies: Array<[unknown, string]> = [
      [{}, ''],
      [{ version: before.version }, ''],
      [{ descripton: 'typo' }, 'descripton'],
      [{ description: 42 }, 'description'],
      [{ description: 'x'.repeat(4001) }, 'description'],
      [{ owner: '' }, 'owner'],
      [{ tags: 'pii' }, 'tags'],
      [{ tags: [' padded'] }, 'tags.0'],
      [{ tags: ['a', 'a'] }, 'tags'],
      [{ tags: ['a'], addTags: ['b'] }, 'tags'],
      [{ addTags: ['a'], removeTags: ['a'] }, 'addTags'],
      [{ addTags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'addTags'],
      [{ description: 'x', version: -1 }, 'version'],
      [{ description: 'x', version: '3' }, 'version'],
    ];
    for (const [body, field] of bodies) {
      const r = await call('PATCH', url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(
        r.body.errors.map((e: any) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    // 50 tags fit; more only through addTags, refused inside the transaction.
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
    expect((await call('PATCH', `${WH}/namespaces/sales/emea`.replace('sales/emea', ns('sales', 'emea')), { tags: fifty })).status).toBe(200);
    const tooMany = await call('PATCH', `${WH}/namespaces/${ns('sales', 'emea')}`, { addTags: ['one-more'] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({ in: 'body', field: 'addTags' });
    expect((await call('GET', `${WH}/namespaces/${ns('sales', 'emea')}`)).body.tags).toEqual(fifty);
    expect((await call('PATCH', `${url}/columns/amount`, { owner: 'x' })).body.errors[0]).toMatchObject({ field: 'owner', message: 'is not a known field' });
    expect((await call('PATCH', `${WH}/namespaces/a%1F%1Fb`, { description: 'x' })).body.errors[0]).toMatchObject({ in: 'path', field: 'namespace' });
    expect((await call('PATCH', `${API}/warehouses/Bad!Name`, { description: 'x' })).body.errors[0]).toMatchObject({ in: 'path', field: 'warehouse' });
    expect((await call('PATCH', url, '{"description": ')).status).toBe(400);
    expect((await call('GET', url)).body).toEqual(before);

    const queries: Array<[string, string]> = [
      ['', 'q'],
      ['q=', 'q'],
      ['q=%2A%2A%2A', 'q'],
      ['q=' + Array.from({ length: 17 }, (_, i) => `w${i}`).join('%20'), 'q'],
      ['q=a&kind=tables', 'kind'],
      ['q=a&kind=table,', 'kind'],
      ['q=a&pageSize=0', 'pageSize'],
      ['q=a&pageSize=101', 'pageSize'],
      ['q=a&pageSize=ten', 'pageSize'],
      ['q=a&pageToken=garbage', 'pageToken'],
      ['q=a&namespace=sales', 'namespace'],
      ['q=a&warehouse=wh&namespace=a%1F%1Fb', 'namespace'],
      ['q=a&warehouse=NOT%20A%20NAME', 'warehouse'],
      ['q=a&tag=%20x', 'tag'],
      ['q=a&color=red', 'color'],
    ];
    for (const [query, field] of queries) {
      const r = await search(query);
      expect(r.status, query).toBe(400);
      expect(
        r.body.errors.map((e: any) => e.field),
        query,
      ).toContain(field);
    }
  });

  it('answers 404 for what does not exist, saying which', async () => {
    const cases: Array<[string, string]> = [
      [`${API}/warehouses/nope`, 'Warehouse nope does not exist'],
      [`${WH}/namespaces/nope`, 'Namespace does not exist: nope'],
      [`${WH}/namespaces/nope/tables/orders`, 'Namespace does not exist: nope'],
      [`${WH}/namespaces/sales/tables/nope`, 'Table does not exist: sales.nope'],
      [`${WH}/namespaces/sales/views/orders`, 'View does not exist: sales.orders'],
      [`${WH}/namespaces/sales/tables/daily_revenue`, 'Table does not exist: sales.daily_revenue'],
      [`${WH}/namespaces/sales/tables/orders/columns/nope`, 'Column "nope" does not exist'],
      [`${WH}/namespaces/sales/tables/orders/columns/city`, 'Column "city" does not exist'],
      [`${WH}/namespaces/sales/tables/nope/columns`, 'Table does not exist: sales.nope'],
    ];
    for (const [url, detail] of cases) {
      for (const method of ['GET', 'PATCH']) {
        if (method === 'PATCH' && url.endsWith('/columns')) continue;
        const r = await call(method, url, method === 'PATCH' ? { description: 'x' } : undefined);
        expect(r.status, `${method} ${url}`).toBe(404);
        expect(r.body.detail, `${method} ${url}`).toContain(detail);
      }
    }
    expect((await search('q=a&warehouse=nope')).status).toBe(404);
    expect((await search('q=a&warehouse=wh&namespace=nope')).status).toBe(404);
  });

  it('refuses a member without a grant with 403, and changes nothing', async () => {
    expect((await call('POST', '/api/v1/users', { username: 'mallory', password: 'mallory-password-1' })).status).toBe(201);
    const login = await p.login('mallory', 'mallory-password-1');
    const member = login.body.access_token as string;
    const url = `${WH}/namespaces/sales/tables/orders`;
    const before = (await call('GET', url)).body;
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `${API}/search?q=orders`],
      ['GET', `${API}/search?q=orders&warehouse=wh`],
      ['GET', WH],
      ['PATCH', WH, { description: 'mine' }],
      ['GET', `${WH}/namespaces/sales`],
      ['PATCH', `${WH}/namespaces/sales`, { owner: 'user:mallory' }],
      ['GET', url],
      ['PATCH', url, { owner: 'user:mallory' }],
      ['GET', `${url}/columns`],
      ['GET', `${url}/columns/customer_id`],
      ['PATCH', `${url}/columns/customer_id`, { tags: [] }],
      ['PATCH', `${WH}/namespaces/sales/views/daily_revenue`, { tags: [] }],
    ];
    for (const [method, target, body] of attempts) {
      const r = await call(method, target, body, member);
      expect(r.status, `${method} ${target}`).toBe(403);
      expect(r.body.type).toMatch(/forbidden$/);
    }
    expect((await call('GET', url)).body).toEqual(before);
    expect((await call('GET', `${url}/columns/customer_id`)).body.tags).toEqual(['pii']);
    expect((await call('GET', url, undefined, 'not-a-token')).status).toBe(401);
  });

  it('documents every route and the event in the OpenAPI document', async () => {
    const doc = (await p.call('GET', '/openapi.json')).body;
    for (const route of [
      '/api/v1/catalog/search',
      '/api/v1/catalog/warehouses/{warehouse}',
      '/api/v1/catalog/warehouses/{warehouse}/namespaces/{namespace}',
      '/api/v1/catalog/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}',
      '/api/v1/catalog/warehouses/{warehouse}/namespaces/{namespace}/views/{view}/columns/{column}',
    ]) {
      expect(doc.paths[route], route).toBeDefined();
    }
    const events = (await p.call('GET', '/cloudevents.json')).body;
    expect(JSON.stringify(events)).toContain('io.lakeplane.catalog.annotations.updated.v1');
  });
});
