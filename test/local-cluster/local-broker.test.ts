import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBroker, loadEventing, PingSourceRunner, type EventingSetup } from '../../bin/local-cluster/index.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

/** What a subscriber was sent: headers and the raw body, and when. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A subscriber on loopback that records each POST and answers as told. */
async function subscriber(answer: (req: Received) => { status: number; headers?: Record<string, string>; body?: string }) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((r) => server.close(r)) };
}

const POLICY = 'io.lakeplane.policies.data-policy.changed.v1';

describe('the local Broker delivers as Knative does', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-broker-'));
  const deadLetterFile = path.join(dir, 'dead-letters.jsonl');
  let broker: LocalBroker;
  let setup: EventingSetup;
  const subs: Record<string, Awaited<ReturnType<typeof subscriber>>> = {};

  beforeAll(async () => {
    subs['iam'] = await subscriber(() => ({ status: 200, body: '{"outcome":"consumed"}', headers: { 'content-type': 'application/json' } }));
    subs['jobs'] = await subscriber(() => ({ status: 202 }));
    subs['sql'] = await subscriber(() => ({ status: 200 }));
    subs['flaky'] = await subscriber(() => ({ status: 503, body: 'down for now' }));
    subs['refuses'] = await subscriber(() => ({ status: 403 }));
    subs['graveyard'] = await subscriber(() => ({ status: 202 }));
    // Answers a table commit with a policy change event, in binary mode: Knative puts the reply back into the Broker.
    subs['replier'] = await subscriber(() => ({
      status: 200,
      headers: { 'ce-specversion': '1.0', 'ce-id': 'reply-1', 'ce-source': '/replier', 'ce-type': POLICY, 'content-type': 'application/json' },
      body: '{"from":"reply"}',
    }));
    const trigger = (name: string, service: string, filter: string, delivery = '') =>
      `---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: ${name}, namespace: lakeplane}\nspec:\n  broker: default\n${filter}  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: ${service}}\n    uri: /cloudevents/${service}\n    audience: lakeplane-${service}\n${delivery}`;
    const typeFilter = (type: string) => `  filter:\n    attributes:\n      type: ${type}\n`;
    const file = path.join(dir, 'eventing.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: default, namespace: lakeplane}\nspec:\n  delivery: {retry: 1, backoffPolicy: exponential, backoffDelay: PT0.05S}\n',
        trigger('iam-policies', 'iam', typeFilter(POLICY)),
        trigger('sql-policies', 'sql', typeFilter(POLICY)),
        trigger('jobs-pings', 'jobs', typeFilter('dev.knative.sources.ping')),
        trigger('jobs-from-sql', 'jobs', '  filter:\n    attributes:\n      type: io.lakeplane.sql.statement.finished.v1\n      source: /lakeplane/sql\n'),
        trigger('replier', 'replier', typeFilter('io.lakeplane.catalog.table.committed.v1')),
        trigger(
          'flaky',
          'flaky',
          typeFilter('test.flaky'),
          '  delivery:\n    retry: 3\n    backoffPolicy: linear\n    backoffDelay: PT0.2S\n    deadLetterSink:\n      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: graveyard}\n      uri: /dead\n      audience: lakeplane-graveyard\n',
        ),
        trigger('refuses', 'refuses', typeFilter('test.refused'), '  delivery: {retry: 4, backoffPolicy: linear, backoffDelay: PT0.1S}\n'),
        '---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {name: tick, namespace: lakeplane}\nspec:\n  schedule: "* * * * *"\n  contentType: application/json\n  data: \'{"task":"outbox-flush"}\'\n  sink:\n    ref: {apiVersion: eventing.knative.dev/v1, kind: Broker, name: default}\n',
      ].join('\n'),
    );
    const port = await freePort();
    broker = await LocalBroker.start(port, { eventing: () => setup, deadLetterFile });
    setup = loadEventing(
      dir,
      (_ns, name) => subs[name]?.url,
      (ns, name) => broker.ingressUrl(ns, name),
      { files: [file] },
    );
  });
  afterAll(async () => {
    await broker?.stop();
    for (const s of Object.values(subs)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingress = () => broker.ingressUrl('lakeplane', 'default');
  const token = () => broker.issuer.mint('system:serviceaccount:lakeplane:lakeplane', 'eventing.knative.dev/broker/lakeplane/default');
  async function post(headers: Record<string, string>, body: string, withToken = true) {
    const response = await fetch(ingress(), {
      method: 'POST',
      headers: { ...headers, ...(withToken ? { authorization: `Bearer ${await token()}` } : {}) },
      body,
    });
    return { status: response.status, body: await response.text() };
  }
  const binary = (id: string, type: string, extra: Record<string, string> = {}) => ({
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': '/lakeplane/policies',
    'ce-type': type,
    'content-type': 'application/json',
    ...extra,
  });

  it('delivers an event to exactly the Triggers whose attributes match, in binary mode, with a token for each subscriber', async () => {
    expect((await post(binary('e-1', POLICY, { 'ce-subject': 'policies/1' }), '{"policyId":"1"}')).status).toBe(202);
    await waitFor('both policy subscribers', () => subs['iam']!.received.length >= 1 && subs['sql']!.received.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(subs['jobs']!.received).toEqual([]);
    const [got] = subs['iam']!.received;
    expect(got!.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'e-1',
      'ce-source': '/lakeplane/policies',
      'ce-type': POLICY,
      'ce-subject': 'policies/1',
      'content-type': 'application/json',
      prefer: 'reply',
    });
    expect(got!.headers['ce-knativearrivaltime']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.parse(got!.body)).toEqual({ policyId: '1' });
    // The token verifies against the keys the Broker publishes, for the Trigger's audience and ServiceAccount.
    const keys = createRemoteJWKSet(new URL(broker.issuer.jwksUrl));
    const bearer = String(got!.headers.authorization).replace(/^Bearer /, '');
    const { payload } = await jwtVerify(bearer, keys, { issuer: broker.issuer.issuer, audience: 'lakeplane-iam' });
    expect(payload.sub).toBe('system:serviceaccount:lakeplane:iam-policies-oidc-eventing.knative.dev-trigger');
    const discovery = (await (await fetch(`${broker.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: broker.issuer.issuer, jwks_uri: broker.issuer.jwksUrl });
  });

  it('matches every attribute of a filter, extensions and source too, and takes structured mode in', async () => {
    const event = { specversion: '1.0', id: 'e-2', source: '/lakeplane/other', type: 'io.lakeplane.sql.statement.finished.v1', data: { n: 1 } };
    expect((await post({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(event))).status).toBe(202);
    const matching = { ...event, id: 'e-3', source: '/lakeplane/sql' };
    expect((await post({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(matching))).status).toBe(202);
    await waitFor('the matching event at jobs', () => subs['jobs']!.received.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    // Delivered in binary mode although it came in structured; the one from another source was not delivered.
    expect(subs['jobs']!.received.map((r) => r.headers['ce-id'])).toEqual(['e-3']);
    expect(subs['jobs']!.received[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(subs['jobs']!.received[0]!.body)).toEqual({ n: 1 });
  });

  it('refuses at its ingress what Knative refuses: no sender token, a batch, an event without its attributes', async () => {
    const missing = await post(binary('e-4', POLICY), '{}', false);
    expect(missing.status).toBe(401);
    expect(missing.body).toContain('eventing.knative.dev/broker/lakeplane/default');
    const wrongAudience = await fetch(ingress(), {
      method: 'POST',
      headers: { ...binary('e-4', POLICY), authorization: `Bearer ${await broker.issuer.mint('system:serviceaccount:lakeplane:x', 'lakeplane-iam')}` },
      body: '{}',
    });
    expect(wrongAudience.status).toBe(401);
    expect((await post({ 'content-type': 'application/cloudevents-batch+json' }, '[]')).status).toBe(400);
    const noType = await post({ 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s' }, '');
    expect(noType.status).toBe(400);
    expect(noType.body).toContain('ce-type');
    expect((await fetch(`${broker.url}/lakeplane/nope`, { method: 'POST' })).status).toBe(404);
  });

  it('retries a failing subscriber with its backoff, then dead-letters the event to the sink and the file', async () => {
    expect((await post(binary('e-flaky', 'test.flaky'), '{"x":1}')).status).toBe(202);
    await waitFor('the dead-letter sink', () => subs['graveyard']!.received.length >= 1, { timeoutMs: 10_000 });
    const tries = subs['flaky']!.received.filter((r) => r.headers['ce-id'] === 'e-flaky');
    // retry: 3 → four tries, linear PT0.2S: 200, 400, 600 ms apart.
    expect(tries).toHaveLength(4);
    const gaps = tries.slice(1).map((t, i) => t.at - tries[i]!.at);
    [200, 400, 600].forEach((want, i) => {
      expect(gaps[i]!).toBeGreaterThanOrEqual(want - 20);
      expect(gaps[i]!).toBeLessThan(want + 400);
    });
    const dead = subs['graveyard']!.received[0]!;
    expect(dead.headers).toMatchObject({
      'ce-id': 'e-flaky',
      'ce-type': 'test.flaky',
      'ce-knativeerrorcode': '503',
      'ce-knativeerrordest': `${subs['flaky']!.url}/cloudevents/flaky`,
    });
    expect(Buffer.from(String(dead.headers['ce-knativeerrordata']), 'base64').toString()).toBe('down for now');
    const letters = readFileSync(deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(letters.find((l) => l.event.id === 'e-flaky')).toMatchObject({ trigger: 'flaky', attempts: 4, status: 503 });
    const recorded = broker.deliveries().filter((d) => d.eventId === 'e-flaky');
    expect(recorded.map((d) => [d.attempt, d.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 503],
    ]);
  });

  it('does not retry an answer Knative takes as final (403), and dead-letters it at once', async () => {
    expect((await post(binary('e-refused', 'test.refused'), '{}')).status).toBe(202);
    await waitFor('the dead letter of e-refused', () => readFileSync(deadLetterFile, 'utf8').includes('"e-refused"'));
    expect(subs['refuses']!.received).toHaveLength(1);
  });

  it("puts a subscriber's reply event back into the Broker, where the Triggers filter it", async () => {
    const before = subs['iam']!.received.length;
    expect((await post(binary('commit-1', 'io.lakeplane.catalog.table.committed.v1'), '{}')).status).toBe(202);
    await waitFor('the reply at iam', () => subs['iam']!.received.find((r) => r.headers['ce-id'] === 'reply-1'));
    await new Promise((r) => setTimeout(r, 200));
    // Only the reply came: iam's own 200 answers carry JSON that is no CloudEvent (what the functions answer), so
    // they go nowhere.
    expect(subs['iam']!.received.length).toBe(before + 1);
    expect(JSON.parse(subs['iam']!.received.at(-1)!.body)).toEqual({ from: 'reply' });
  });

  it("sends the PingSource's tick as Knative's does, through the Broker to the ping Triggers", async () => {
    const runner = new PingSourceRunner(setup.pingSources[0]!, broker.issuer);
    const tick = await runner.fire(new Date('2030-01-01T00:01:00Z'));
    expect(tick.status).toBe(202);
    await waitFor('the tick at jobs', () => subs['jobs']!.received.find((r) => r.headers['ce-id'] === tick.id));
    const got = subs['jobs']!.received.find((r) => r.headers['ce-id'] === tick.id)!;
    expect(got.headers).toMatchObject({
      'ce-type': 'dev.knative.sources.ping',
      'ce-source': '/apis/v1/namespaces/lakeplane/pingsources/tick',
      'ce-time': '2030-01-01T00:01:00.000Z',
      'content-type': 'application/json',
    });
    expect(got.body).toBe('{"task":"outbox-flush"}');
  });
});
