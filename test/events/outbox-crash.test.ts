/**
 * The outbox's promise under a crash: publish through the outbox, kill the dispatcher mid-delivery, restart it, and
 * every event still has its effect exactly once; the redelivered one is dropped by the consumer as a duplicate.
 *
 * Everything is real and in separate places, as in a deployment:
 *   - the outbox lives in its own metadata store (a scratch PostgreSQL database, or a PGlite data directory on disk);
 *   - the dispatcher runs in a child process (test/support/outbox-dispatcher-child.ts) and POSTs binary-mode
 *     CloudEvents with HttpTransport;
 *   - the consumer is a Lakeplane server (startPlatform) serving a test function that consumes
 *     io.lakeplane.test.ping.v1 through the real ingest route, with its own store;
 *   - between them a proxy in this process records every delivery and the consumer's answer, and, to crash the
 *     dispatcher at the worst moment, withholds the consumer's answer to the K-th delivery: the consumer has committed
 *     the effect but the dispatcher never learns it, and is SIGKILLed while waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openMetadataStore, type MetadataStore } from '../../shared/db/index.js';
import { defineEventType, Outbox } from '../../shared/events/index.js';
import { consumer, defineFunction, ingestPath } from '../../shared/http/index.js';
import { PlatformMetrics } from '../../shared/metrics/index.js';
import { spawnTsx } from '../support/child.js';
import { backends, createScratchDatabase, type Backend } from '../support/databases.js';
import { readRequestBody, startHttpServer, type TestHttpServer } from '../support/http-server.js';
import { metricValue, scrape } from '../support/metrics.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

const CHILD_SCRIPT = 'test/support/outbox-dispatcher-child.ts';
/** Events published; the K-th delivery is the one cut off by the crash. */
const N = 8;
const K = 3;
const LEASE_MS = 300;

const Ping = defineEventType(
  'io.lakeplane.test.ping.v1',
  'A test ping for the dispatcher crash test.',
  Type.Object({ seq: Type.Integer() }, { additionalProperties: false }),
);

/** Where the outbox lives, opened only for short moments: PGlite on disk admits one process at a time. */
interface OutboxStore {
  childEnv: Record<string, string>;
  use<T>(fn: (store: MetadataStore) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

async function outboxStore(backend: Backend): Promise<OutboxStore> {
  let options: { databaseUrl?: string; dataDir?: string };
  let childEnv: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (backend === 'postgres') {
    const scratch = await createScratchDatabase();
    options = { databaseUrl: scratch.url };
    childEnv = { CHILD_DATABASE_URL: scratch.url };
    cleanup = () => scratch.drop();
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lakeplane-outbox-crash-'));
    options = { dataDir: dir };
    childEnv = { CHILD_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  return {
    childEnv,
    cleanup,
    async use(fn) {
      const store = await openMetadataStore(options);
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    },
  };
}

interface Delivery {
  id: string;
  contentType: string | undefined;
  specversion: string | undefined;
  status: number;
  outcome: string | undefined;
}

describe.each(backends())('outbox delivery across a dispatcher crash (%s)', (backend) => {
  // The effect of each event, by event id. The handler runs inside the consumer's idempotency transaction, so a
  // count above 1 means the consumer applied an event twice.
  const effects = new Map<string, number>();
  const crashConsumer = defineFunction({
    name: 'crash-consumer',
    description: 'Test function: counts the effect of each ping it consumes.',
    routes: [],
    consumes: [
      consumer({
        type: Ping.type,
        schema: Ping.schema,
        handle: async (_ctx, _data, event) => {
          effects.set(event.id, (effects.get(event.id) ?? 0) + 1);
        },
      }),
    ],
  });

  const deliveries: Delivery[] = [];
  let holdDeliveryNumber: number | undefined = K;
  let held: ServerResponse | undefined;
  let reportCut: (id: string) => void = () => undefined;
  const cut = new Promise<string>((resolve) => (reportCut = resolve));

  let consumerServer: TestPlatform;
  let proxy: TestHttpServer;
  let store: OutboxStore;

  beforeAll(async () => {
    // The dispatcher's HttpTransport sends no credential, as the Knative Broker does not.
    consumerServer = await startPlatform(backend, {
      functions: [crashConsumer],
      env: { LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true', LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true' },
    });
    const target = consumerServer.url + ingestPath(crashConsumer.name);
    proxy = await startHttpServer(async (req, res) => {
      const body = await readRequestBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(k)) headers[k] = v;
      }
      const answer = await fetch(target, { method: 'POST', headers, body: new Uint8Array(body) });
      const text = await answer.text();
      let outcome: string | undefined;
      try {
        outcome = (JSON.parse(text) as { outcome?: string }).outcome;
      } catch {
        outcome = undefined;
      }
      deliveries.push({
        id: String(req.headers['ce-id']),
        contentType: req.headers['content-type'],
        specversion: req.headers['ce-specversion'] as string | undefined,
        status: answer.status,
        outcome,
      });
      if (deliveries.length === holdDeliveryNumber) {
        // The consumer has committed this event; its answer never reaches the dispatcher.
        held = res;
        reportCut(String(req.headers['ce-id']));
        return;
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
    });
    store = await outboxStore(backend);
  });

  afterAll(async () => {
    held?.destroy();
    await proxy?.close();
    await consumerServer?.close();
    await store?.cleanup();
  });

  it(`delivers each of ${N} events exactly once although the dispatcher is SIGKILLed mid-delivery`, async () => {
    // 1. Publish N events the way a function does: Outbox.publish inside the transaction of the change.
    const published = await store.use(async ({ db }) => {
      await migrateToLatest(db);
      const outbox = new Outbox('/lakeplane/crash-test', new PlatformMetrics(), () => undefined);
      const ids: string[] = [];
      for (let seq = 1; seq <= N; seq++) {
        ids.push(await db.transaction().execute((tx) => outbox.publish(tx, { type: Ping, subject: `pings/${seq}`, data: { seq } })));
      }
      return ids;
    });
    expect(new Set(published).size).toBe(N);

    // 2. First dispatcher: it claims the batch and delivers in order until the K-th answer is withheld; then it dies.
    const first = spawnTsx(CHILD_SCRIPT, { ...store.childEnv, CHILD_SINK_URL: proxy.url, CHILD_LEASE_MS: String(LEASE_MS) });
    const cutId = await Promise.race([
      cut,
      first.exited.then(({ code }) => {
        throw new Error(`first dispatcher exited (${code}) before the crash point; stderr:\n${first.stderr()}`);
      }),
    ]);
    first.process.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    holdDeliveryNumber = undefined;
    held?.destroy();

    // The consumer applied K events, including the one whose answer was lost...
    expect(deliveries).toHaveLength(K);
    expect(deliveries.map((d) => d.outcome)).toEqual(Array(K).fill('handled'));
    expect(effects.size).toBe(K);
    expect(effects.get(cutId)).toBe(1);
    // ...but for the outbox that one was never delivered: it is still there with its attempt counted, next to the
    // events the dead dispatcher had claimed and never reached.
    const left = await store.use(({ db }) => db.selectFrom('outbox').select(['id', 'attempts']).execute());
    expect(left).toHaveLength(N - (K - 1));
    expect(left.find((r) => r.id === cutId)?.attempts).toBe(1);

    // 3. A second dispatcher, once the dead one's lease has run out, delivers everything still in the outbox.
    const second = spawnTsx(CHILD_SCRIPT, { ...store.childEnv, CHILD_SINK_URL: proxy.url, CHILD_LEASE_MS: String(LEASE_MS) });
    // Waited for as long as it takes: the step fails only if the dispatcher exits without draining (the test's own
    // timeout ends a hang). Two processes starting on a loaded 2-core machine once took longer than a fixed budget.
    await second.message((m) => m['state'] === 'drained', null);
    expect((await second.exited).code, second.stderr()).toBe(0);

    // Every event had its effect exactly once.
    expect([...effects.keys()].sort()).toEqual([...published].sort());
    for (const id of published) expect(effects.get(id), `effects of ${id}`).toBe(1);

    // The cut-off event went over HTTP twice; the consumer answered the second time as a duplicate.
    const ofCut = deliveries.filter((d) => d.id === cutId);
    expect(ofCut.map((d) => [d.status, d.outcome])).toEqual([
      [200, 'handled'],
      [200, 'duplicate'],
    ]);
    // No other event was redelivered, and each was handled exactly once over the wire.
    expect(deliveries).toHaveLength(N + 1);
    for (const id of published)
      expect(
        deliveries.filter((d) => d.id === id && d.outcome === 'handled'),
        `handled deliveries of ${id}`,
      ).toHaveLength(1);
    // Every delivery was a binary-mode CloudEvent: attributes in ce-* headers, the data as the JSON body.
    for (const d of deliveries) expect([d.specversion, d.contentType]).toEqual(['1.0', 'application/json']);

    // The consumer's own metrics tell the same story.
    const metrics = await scrape(consumerServer.url);
    expect(metricValue(metrics, 'lakeplane_events_consumed_total', { function: 'crash-consumer', type: Ping.type, outcome: 'handled' })).toBe(N);
    expect(metricValue(metrics, 'lakeplane_events_consumed_total', { function: 'crash-consumer', type: Ping.type, outcome: 'duplicate' })).toBe(1);

    // The outbox ends empty, and nothing was given up on.
    const [outboxRows, deadLetters] = await store.use(async ({ db }) => [
      await db.selectFrom('outbox').select('id').execute(),
      await db.selectFrom('dead_letters').select('id').execute(),
    ]);
    expect(outboxRows).toEqual([]);
    expect(deadLetters).toEqual([]);
  }, 600_000); // only a guard against a hang: every step above waits on its condition or on a child's exit
});
