import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * Webhooks out, to a receiver in the test that verifies every signature with the Standard Webhooks reference library:
 * each platform event a subscription wants arrives once, signed, after retries when the receiver fails at first; a
 * receiver that keeps failing gets its subscription disabled, and the subscription says why.
 */
interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

async function receiver(secretOf: () => string, failFirst: number) {
  const seen: Received[] = [];
  const tries = new Map<string, number>();
  let badSignatures = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      let event: Received;
      try {
        event = new Webhook(secretOf()).verify(body, headers) as Received;
      } catch {
        badSignatures += 1;
        res.writeHead(400).end();
        return;
      }
      const n = (tries.get(event.id) ?? 0) + 1;
      tries.set(event.id, n);
      if (n <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      seen.push(event);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, tries, bad: () => badSignatures, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(backends())('webhooks on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_WEBHOOK_RETRY_BASE_MS: '50', LAKEPLANE_WEBHOOK_MAX_ATTEMPTS: '3', LAKEPLANE_WEBHOOK_POLL_MS: '100' } });
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => p?.close());

  it('delivers each wanted event once, signed, after retries', async () => {
    let secret = '';
    const r = await receiver(() => secret, 2);
    try {
      const sub = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'iam-events', url: r.url, eventTypes: ['io.lakeplane.iam.*'] } });
      expect(sub.status, JSON.stringify(sub.body)).toBe(201);
      secret = sub.body.secret;
      expect(secret).toMatch(/^whsec_/);
      for (const u of ['wh1', 'wh2', 'wh3']) expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: u, password: 'a-password-123' } })).status).toBe(201);
      // Not wanted: a job definition.
      expect((await p.call('POST', '/api/v1/jobs', { token: admin, body: { name: 'not-wanted', type: 'python', mainApplicationFile: 'local:///a.py' } })).status).toBe(201);
      const created = await waitFor('three user events', () => (r.seen.filter((e) => e.type === 'io.lakeplane.iam.user.created.v1').length >= 3 ? r.seen : undefined), { timeoutMs: 20_000, intervalMs: 100 });
      const ids = created.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(created.every((e) => e.type.startsWith('io.lakeplane.iam.'))).toBe(true);
      expect(r.bad()).toBe(0);
      for (const id of ids) expect(r.tries.get(id)).toBe(3);
      const log = await p.call('GET', `/api/v1/webhooks/${sub.body.id}/deliveries?status=delivered`, { token: admin });
      expect(log.body.items.length).toBe(ids.length);
      expect(log.body.items[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 204 });
    } finally {
      await r.close();
    }
  }, 60_000);

  it('disables a subscription whose deliveries keep failing, and says why', async () => {
    const r = await receiver(() => 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 1000);
    try {
      const sub = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'broken', url: r.url, eventTypes: ['*'] } });
      for (const u of ['x1', 'x2', 'x3', 'x4']) await p.call('POST', '/api/v1/users', { token: admin, body: { username: u, password: 'a-password-123' } });
      const disabled = await waitFor('the subscription disabled', async () => {
        const s = await p.call('GET', `/api/v1/webhooks/${sub.body.id}`, { token: admin });
        return s.body.enabled === false ? s.body : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
      expect(disabled.disabledReason).toMatch(/disabled after 3 deliveries in a row failed 3 times each; the last: HTTP 400/);
      const failed = await p.call('GET', `/api/v1/webhooks/${sub.body.id}/deliveries?status=failed`, { token: admin });
      expect(failed.body.items.length).toBeGreaterThanOrEqual(3);
      // Enabled again by an admin, it starts over.
      const again = await p.call('PATCH', `/api/v1/webhooks/${sub.body.id}`, { token: admin, body: { enabled: true } });
      expect(again.body).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    } finally {
      await r.close();
    }
  }, 60_000);

  it('refuses bad subscriptions with 400 naming the field, and members altogether', async () => {
    const bad = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'bad', url: 'ftp://example.com', eventTypes: ['io.lakeplane.*'] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toMatch(/url/);
    expect((await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'bad2', url: 'https://example.com', eventTypes: ['not.a.type'] } })).status).toBe(400);
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'mem', password: 'a-password-123' } })).status).toBe(201);
    const member = (await p.login('mem', 'a-password-123')).body.access_token;
    expect((await p.call('GET', '/api/v1/webhooks', { token: member })).status).toBe(403);
  });
});
