import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBroker, loadEventing, type EventingSetup } from '../../bin/local-cluster/index.js';
import { events } from '../../functions/events/index.js';
import { iam } from '../../functions/iam/index.js';
import { freePort } from '../support/ports.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

const TYPE = 'io.lakeplane.catalog.table.committed.v1';
const hasDatabase = Boolean(process.env['DATABASE_URL']);
if (!hasDatabase) missingPrerequisite('the Broker dead-letter suite', 'DATABASE_URL is not set (the events function runs on PostgreSQL)');

/**
 * A subscriber that consumes each event once by its id, as the platform's consumers do (shared/events records the
 * id with the effect): it can be stopped (a killed pod) and started again on the same port.
 */
class StandInSubscriber {
  readonly handled: string[] = [];
  readonly duplicates: string[] = [];
  private server: Server | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const id = String(req.headers['ce-id']);
      req.resume();
      req.on('end', () => {
        (this.handled.includes(id) ? this.duplicates : this.handled).push(id);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"handled"}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }
}

/**
 * The Broker's dead letters end up in the events function, over real HTTP on PostgreSQL: a subscriber down past its
 * Trigger's retry budget, the local Broker (which delivers and dead-letters as Knative's) sending the event to the
 * Trigger's deadLetterSink with knativeerrordest/-code/-data, GET /api/v1/events/dead-letters showing it, and a redrive
 * putting it back through the outbox and the Broker to the subscriber once it is back.
 */
describe.skipIf(!hasDatabase)('dead letters of the Broker', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-dead-letters-'));
  let broker: LocalBroker;
  let setup: EventingSetup;
  let platform: TestPlatform;
  let subscriber: StandInSubscriber;
  let token: string;

  beforeAll(async () => {
    subscriber = new StandInSubscriber(await freePort());
    const brokerPort = await freePort();
    broker = await LocalBroker.start(brokerPort, { eventing: () => setup, deadLetterFile: path.join(dir, 'dead-letters.jsonl') });
    // A short budget (two retries 50 ms and 100 ms apart) stands in for eventing/'s 34 minutes; the sink is eventing/'s.
    const file = path.join(dir, 'eventing.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: default, namespace: lakeplane}\n',
        `---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: jobs-table-committed, namespace: lakeplane}\nspec:\n  broker: default\n  filter:\n    attributes:\n      type: ${TYPE}\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: jobs}\n    uri: /cloudevents/jobs\n    audience: lakeplane-jobs\n  delivery:\n    retry: 2\n    backoffPolicy: exponential\n    backoffDelay: PT0.025S\n    deadLetterSink:\n      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: events}\n      uri: /cloudevents/events/dead-letters\n      audience: lakeplane-events\n`,
      ].join('\n'),
    );
    const tokenFile = path.join(dir, 'broker-token');
    writeFileSync(tokenFile, await broker.issuer.mint('system:serviceaccount:lakeplane:lakeplane', 'eventing.knative.dev/broker/lakeplane/default', 3600));
    platform = await startPlatform('postgres', {
      functions: [iam, events],
      env: {
        LAKEPLANE_MODE: 'cluster',
        LAKEPLANE_MIGRATE_ON_START: 'true',
        LAKEPLANE_BROKER_URL: broker.ingressUrl('lakeplane', 'default'),
        LAKEPLANE_BROKER_TOKEN_FILE: tokenFile,
        LAKEPLANE_INGEST_OIDC_ISSUER: broker.issuer.issuer,
        LAKEPLANE_INGEST_OIDC_JWKS_URL: broker.issuer.jwksUrl,
        LAKEPLANE_INGEST_OIDC_AUDIENCES: 'lakeplane-events',
        // As knative/services/events.yaml: the failed Trigger's identity delivers its dead letters.
        LAKEPLANE_INGEST_OIDC_SUBJECTS: 'system:serviceaccount:lakeplane:jobs-table-committed-oidc-eventing.knative.dev-trigger',
      },
    });
    setup = loadEventing(
      dir,
      (_ns, name) => (name === 'jobs' ? subscriber.url : name === 'events' ? platform.url : undefined),
      (ns, name) => broker.ingressUrl(ns, name),
      { files: [file] },
    );
    token = await platform.adminToken();
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    await subscriber?.stop();
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const publish = async (id: string) => {
    const response = await fetch(broker.ingressUrl('lakeplane', 'default'), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await broker.issuer.mint('system:serviceaccount:lakeplane:lakeplane', 'eventing.knative.dev/broker/lakeplane/default')}`,
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/lakeplane/catalog',
        'ce-type': TYPE,
        'ce-subject': 'wh/sales/orders',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ table: 'orders' }),
    });
    expect(response.status).toBe(202);
  };
  const deadLetters = async () => {
    const listed = await platform.call('GET', '/api/v1/events/dead-letters', { token });
    expect(listed.status).toBe(200);
    return listed.body.items as Array<Record<string, unknown>>;
  };

  it('an event its subscriber never took lands in the dead letters with where it failed and why; a redrive delivers it once', async () => {
    const id = randomUUID();
    // The subscriber is down (never started, as a pod killed past its Trigger's retry budget).
    await publish(id);
    const letter = await waitFor('the dead letter', async () => (await deadLetters()).find((l) => l['id'] === id), { timeoutMs: 20_000 });
    expect(letter).toMatchObject({
      id,
      type: TYPE,
      source: '/lakeplane/catalog',
      subject: 'wh/sales/orders',
      data: { table: 'orders' },
      destination: `${subscriber.url}/cloudevents/jobs`,
      errorCode: null,
      lastError: `no answer from ${subscriber.url}/cloudevents/jobs`,
    });
    expect(broker.deliveries().filter((d) => d.eventId === id)).toHaveLength(3);

    await subscriber.start();
    const redrive = await platform.call('POST', `/api/v1/events/dead-letters/${id}/redrive`, { token });
    expect(redrive.status, JSON.stringify(redrive.body)).toBe(202);
    await waitFor('the redriven event at the subscriber', () => subscriber.handled.includes(id), { timeoutMs: 20_000 });
    expect((await deadLetters()).find((l) => l['id'] === id)).toBeUndefined();
    await waitFor('the outbox empty', async () => ((await platform.call('GET', '/api/v1/events/outbox', { token })).body.items as unknown[]).length === 0);
    expect(subscriber.handled.filter((h) => h === id)).toHaveLength(1);
    expect(subscriber.duplicates).toEqual([]);
    await subscriber.stop();
  }, 60_000);

  it("keeps the subscriber's answer, and records a dead letter once however often the Broker sends it", async () => {
    const id = randomUUID();
    const failing = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503, { 'content-type': 'text/plain' }).end('draining: try later'));
    });
    await new Promise<void>((resolve) => failing.listen(subscriber.port, '127.0.0.1', resolve));
    try {
      await publish(id);
      const letter = await waitFor('the dead letter', async () => (await deadLetters()).find((l) => l['id'] === id), { timeoutMs: 20_000 });
      expect(letter).toMatchObject({
        destination: `${subscriber.url}/cloudevents/jobs`,
        errorCode: 503,
        lastError: `${subscriber.url}/cloudevents/jobs answered 503: draining: try later`,
      });
    } finally {
      await new Promise((resolve) => {
        failing.close(resolve);
        failing.closeAllConnections();
      });
    }
    // The Broker's sink delivery again (its own retry after a lost answer): the same event at the same destination.
    const again = await fetch(`${platform.url}/cloudevents/events/dead-letters`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await broker.issuer.mint('system:serviceaccount:lakeplane:jobs-table-committed-oidc-eventing.knative.dev-trigger', 'lakeplane-events')}`,
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/lakeplane/catalog',
        'ce-type': TYPE,
        'ce-knativeerrordest': `${subscriber.url}/cloudevents/jobs`,
        'ce-knativeerrorcode': '503',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ table: 'orders' }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id, outcome: 'duplicate' });
    expect((await deadLetters()).filter((l) => l['id'] === id)).toHaveLength(1);
  }, 60_000);

  it('refuses a sender that is not a Trigger it admits, and an event that is not a dead letter, naming the attribute', async () => {
    const headers = (subject: string) =>
      broker.issuer.mint(subject, 'lakeplane-events').then((t) => ({
        authorization: `Bearer ${t}`,
        'ce-specversion': '1.0',
        'ce-id': randomUUID(),
        'ce-source': '/lakeplane/catalog',
        'ce-type': TYPE,
        'content-type': 'application/json',
      }));
    const stranger = await fetch(`${platform.url}/cloudevents/events/dead-letters`, {
      method: 'POST',
      headers: { ...(await headers('system:serviceaccount:lakeplane:someone-else')), 'ce-knativeerrordest': 'http://x/' },
      body: '{}',
    });
    expect(stranger.status).toBe(401);
    const notDead = await fetch(`${platform.url}/cloudevents/events/dead-letters`, {
      method: 'POST',
      headers: await headers('system:serviceaccount:lakeplane:jobs-table-committed-oidc-eventing.knative.dev-trigger'),
      body: '{}',
    });
    expect(notDead.status).toBe(400);
    expect(JSON.stringify(await notDead.json())).toContain('ce-knativeerrordest');
  });
});
