import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CloudEvent, HTTP, type CloudEventV1 } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iam } from '../../functions/iam/index.js';
import { policies } from '../../functions/policies/index.js';
import { shippedControlBundle } from '../../shared/policy/control/control-authorizer.js';
import { PolicyEvents } from '../../shared/policy/index.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * A policy change reaches the other processes of every function through a CloudEvent, in cluster mode: process A
 * (all functions) makes the change; B (a second pod of `policies`) and C (a pod of `iam`) share its PostgreSQL
 * database but poll it only every 10 minutes, so they keep deciding with what they loaded until the event A published
 * (sent by whichever process's dispatcher to the test's Broker) is delivered to their /cloudevents/<function> over
 * HTTP, as the Broker's Triggers do (eventing/). Then they decide
 * with the new policies at once; a redelivery only makes them look again.
 */
const postgres = backends().includes('postgres');
const SLOW_POLL = { LAKEPLANE_POLICY_REFRESH_MS: '600000', LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true', LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true' };

/** The shipped control bundle with other limits: its wasm, a new data.json (no OPA CLI needed). */
async function shippedBundleWithLimits(limits: Record<string, number>): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-bundle-'));
  try {
    const files = path.join(dir, 'bundle');
    writeFileSync(path.join(dir, 'shipped.tar.gz'), await shippedControlBundle());
    execFileSync('mkdir', [files]);
    execFileSync('tar', ['xzf', '../shipped.tar.gz'], { cwd: files });
    const data = JSON.parse(readFileSync(path.join(files, 'data.json'), 'utf8')) as { limits: Record<string, number> };
    writeFileSync(path.join(files, 'data.json'), JSON.stringify({ ...data, limits: { ...data.limits, ...limits } }));
    execFileSync('tar', ['czf', '../strict.tar.gz', '.'], { cwd: files });
    return readFileSync(path.join(dir, 'strict.tar.gz')).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!postgres)('policy changes reach every function through a CloudEvent (three processes on one PostgreSQL)', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let c: TestPlatform;
  let admin: string;
  let ada: string;
  const published: CloudEventV1<unknown>[] = [];
  let broker: Server;

  beforeAll(async () => {
    // The Broker's part: every process sends what it publishes here (cluster mode), whichever of them delivers the
    // shared outbox; the test then plays the Triggers.
    broker = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const event = HTTP.toEvent({ headers: req.headers as Record<string, string>, body }) as CloudEventV1<unknown>;
        published.push(event);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', () => r()));
    const cluster = {
      ...SLOW_POLL,
      LAKEPLANE_MODE: 'cluster',
      LAKEPLANE_MIGRATE_ON_START: 'true',
      LAKEPLANE_BROKER_URL: `http://127.0.0.1:${(broker.address() as AddressInfo).port}/`,
    };
    a = await startPlatform('postgres', { env: cluster });
    b = await startPlatform('postgres', { sharedDatabaseOf: a, functions: [policies], env: cluster });
    c = await startPlatform('postgres', { sharedDatabaseOf: a, functions: [iam], env: cluster });
    admin = await a.adminToken();
    expect((await a.call('POST', '/api/v1/users', { token: admin, body: { username: 'ada', password: 'ada-password-123' } })).status).toBe(201);
    ada = (await c.login('ada', 'ada-password-123')).body.access_token;
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await b?.close();
    await a?.close();
    await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
  });

  /** Delivers an event A published to another process's ingest route, in binary mode, as the Broker does. */
  async function deliver(to: TestPlatform, fn: string, event: CloudEventV1<unknown>) {
    const message = HTTP.binary(new CloudEvent(event, false));
    const r = await fetch(`${to.url}/cloudevents/${fn}`, { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
    return { status: r.status, body: (await r.json()) as { outcome?: string } };
  }
  const eventOf = (type: string, match: (data: any) => boolean) =>
    waitFor(`A publishes ${type}`, () => published.find((e) => e.type === type && match(e.data)));

  it('a data policy: a second pod of policies decides with it once the event arrives', async () => {
    const decide = () =>
      b.call('POST', '/api/v1/policies/decide', {
        token: admin,
        body: { principal: { user: 'ada' }, access: 'select', resource: { warehouse: 'wh', namespace: ['sales'], table: 'orders' } },
      });
    const before = await decide();
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.decision).toBe('deny');

    const created = await a.call('POST', '/api/v1/policies', {
      token: admin,
      body: {
        name: 'ada reads sales',
        resources: { warehouse: { values: ['wh'] }, namespace: { values: ['sales'] }, table: { values: ['*'] } },
        allow: [{ users: ['ada'], accesses: ['select'] }],
      },
    });
    expect(created.status).toBe(201);
    expect(
      (
        await a.call('POST', '/api/v1/policies/decide', {
          token: admin,
          body: { principal: { user: 'ada' }, access: 'select', resource: { warehouse: 'wh', namespace: ['sales'], table: 'orders' } },
        })
      ).body.decision,
    ).toBe('allow');
    // B polls every 10 minutes: without the event it still decides with the set it loaded.
    expect((await decide()).body.decision).toBe('deny');

    const event = await eventOf(PolicyEvents.dataPolicyChanged.type, (d) => d.policyId === created.body.id);
    expect(await deliver(b, 'policies', event)).toEqual({ status: 200, body: { id: event.id, source: event.source, outcome: 'handled' } });
    const after = await decide();
    expect(after.body).toMatchObject({ decision: 'allow', policyName: 'ada reads sales' });
    // A redelivery only makes B look again.
    expect((await deliver(b, 'policies', event)).status).toBe(200);
    expect((await decide()).body.decision).toBe('allow');
  });

  it('a control bundle: a pod of iam enforces it once the event arrives, and the rollback likewise', async () => {
    const month = () => c.call('POST', '/api/v1/tokens', { token: ada, body: { name: `m-${Math.random()}`, expiresInDays: 30 } });
    expect((await month()).status).toBe(201);

    const uploaded = await a.call('POST', '/api/v1/control-policies/bundles', {
      token: admin,
      body: { bundle: await shippedBundleWithLimits({ member_token_max_days: 7 }), description: 'a week' },
    });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect((await a.call('POST', `/api/v1/control-policies/bundles/${uploaded.body.id}/activate`, { token: admin })).status).toBe(200);
    expect((await month()).status).toBe(201); // C still has the shipped bundle

    const activated = await eventOf(PolicyEvents.controlBundleActivated.type, (d) => d.bundleId === uploaded.body.id);
    expect((await deliver(c, 'iam', activated)).body.outcome).toBe('handled');
    const refused = await month();
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/at most 7 days/);

    expect((await a.call('POST', '/api/v1/control-policies/rollback', { token: admin })).status).toBe(200);
    expect((await month()).status).toBe(403);
    const rolledBack = await eventOf(PolicyEvents.controlBundleActivated.type, (d) => d.kind === 'rollback');
    expect((await deliver(c, 'iam', rolledBack)).body.outcome).toBe('handled');
    expect((await month()).status).toBe(201);
  });

  it('an event that is not a valid policy event is refused with 400 and changes nothing', async () => {
    const bad = new CloudEvent(
      { type: PolicyEvents.controlBundleActivated.type, source: '/test', data: { bundleId: 'not-a-uuid', controlVersion: 'x' } },
      false,
    );
    const r = await deliver(c, 'iam', bad);
    expect(r.status).toBe(400);
    expect((await c.call('POST', '/api/v1/tokens', { token: ada, body: { name: 'still-month', expiresInDays: 30 } })).status).toBe(201);
  });
});
