import { createServer, type Server, type ServerResponse } from 'node:http';
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

async function receiver(secretOf: () => string, failFirst: number, host = '127.0.0.1', answer?: (res: ServerResponse) => void) {
  const seen: Received[] = [];
  const tries = new Map<string, number>();
  let badSignatures = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (answer) {
        tries.set(String(req.headers['webhook-id']), (tries.get(String(req.headers['webhook-id'])) ?? 0) + 1);
        answer(res);
        return;
      }
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
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
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}/hook`,
    seen,
    tries,
    bad: () => badSignatures,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(backends())('webhooks on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    // The receivers listen on loopback, which webhooks may reach only because the admin allow-lists it (just the one
    // address: the rest of 127.0.0.0/8 stays refused, which the SSRF cases below rely on).
    p = await startPlatform(backend, {
      env: {
        LAKEPLANE_WEBHOOK_RETRY_BASE_MS: '50',
        LAKEPLANE_WEBHOOK_MAX_ATTEMPTS: '3',
        LAKEPLANE_WEBHOOK_POLL_MS: '100',
        LAKEPLANE_WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      },
    });
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
      for (const u of ['wh1', 'wh2', 'wh3'])
        expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: u, password: 'a-password-123' } })).status).toBe(201);
      // Not wanted: a job definition.
      expect(
        (await p.call('POST', '/api/v1/jobs', { token: admin, body: { name: 'not-wanted', type: 'python', mainApplicationFile: 'local:///a.py' } })).status,
      ).toBe(201);
      const created = await waitFor(
        'three user events',
        () => (r.seen.filter((e) => e.type === 'io.lakeplane.iam.user.created.v1').length >= 3 ? r.seen : undefined),
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      const ids = created.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(created.every((e) => e.type.startsWith('io.lakeplane.iam.'))).toBe(true);
      expect(r.bad()).toBe(0);
      for (const id of ids) expect(r.tries.get(id)).toBe(3);
      // The receiver has answered the third try; the delivery is marked delivered once that answer is back at the
      // dispatcher, a moment later (CI once read the log between the two).
      const log = await waitFor(
        'the three deliveries logged as delivered',
        async () => {
          const l = await p.call('GET', `/api/v1/webhooks/${sub.body.id}/deliveries?status=delivered`, { token: admin });
          return l.body.items.length >= ids.length ? l : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
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
      const disabled = await waitFor(
        'the subscription disabled',
        async () => {
          const s = await p.call('GET', `/api/v1/webhooks/${sub.body.id}`, { token: admin });
          return s.body.enabled === false ? s.body : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      // Four events were sent: a fourth delivery given up while the third disabled it counts too.
      expect(disabled.disabledReason).toMatch(/disabled after [34] deliveries in a row failed 3 times each; the last: HTTP 400/);
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
    expect(
      (await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'bad2', url: 'https://example.com', eventTypes: ['not.a.type'] } })).status,
    ).toBe(400);
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'mem', password: 'a-password-123' } })).status).toBe(201);
    const member = (await p.login('mem', 'a-password-123')).body.access_token;
    expect((await p.call('GET', '/api/v1/webhooks', { token: member })).status).toBe(403);
  });
  // Server-side request forgery (issue 19): targets inside the cluster are refused unless allow-listed.
  const internalTargets = [
    'http://127.0.0.2:8080/hook', // loopback outside the allow-listed 127.0.0.1/32
    'http://0x7f.0.0.3/hook', // 127.0.0.3 in hex
    'http://10.1.2.3/hook',
    'http://172.20.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data/', // the cloud metadata endpoint
    'http://100.64.0.1/hook', // carrier-grade NAT
    'http://0.0.0.0:8080/hook',
    'http://224.0.0.1/hook', // multicast
    'http://[::1]/hook',
    'http://[fd00::1]/hook', // unique-local IPv6
    'http://[fe80::1]/hook', // link-local IPv6
    'http://[::ffff:169.254.169.254]/hook', // IPv4-mapped IPv6
    'http://[ff02::1]/hook', // IPv6 multicast
  ];

  it('refuses internal targets with 400 naming the url, and creates nothing', async () => {
    const before = (await p.call('GET', '/api/v1/webhooks', { token: admin })).body.items.length;
    for (const url of internalTargets) {
      const res = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'ssrf', url, eventTypes: ['*'] } });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.errors, url).toEqual([
        expect.objectContaining({ in: 'body', field: 'url', message: expect.stringMatching(/refused as a webhook target: .*LAKEPLANE_WEBHOOK_ALLOWED_CIDRS/) }),
      ]);
    }
    const metadata = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'ssrf', url: 'http://169.254.169.254/', eventTypes: ['*'] } });
    expect(metadata.body.errors[0].message).toMatch(/169\.254\.169\.254 is link-local \(cloud metadata\)/);
    expect(
      (await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'ssrf', url: 'http://no-such-host.invalid/hook', eventTypes: ['*'] } })).body
        .errors[0],
    ).toMatchObject({ field: 'url', message: expect.stringMatching(/does not resolve/) });
    expect((await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'ssrf', url: 'gopher://127.0.0.1/', eventTypes: ['*'] } })).status).toBe(
      400,
    );
    expect((await p.call('GET', '/api/v1/webhooks', { token: admin })).body.items.length).toBe(before);
    // The allow-listed address itself, however it is written, is accepted.
    const allowed = await p.call('POST', '/api/v1/webhooks', {
      token: admin,
      body: { name: 'allowed-by-number', url: 'http://2130706433:9/hook', eventTypes: ['io.lakeplane.none.*'] },
    });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(201);
    await p.call('DELETE', `/api/v1/webhooks/${allowed.body.id}`, { token: admin });
  });

  it('refuses to move a subscription to an internal target, and keeps its url', async () => {
    const r = await receiver(() => '', 0);
    try {
      const sub = await p.call('POST', '/api/v1/webhooks', { token: admin, body: { name: 'moving', url: r.url, eventTypes: ['io.lakeplane.none.*'] } });
      expect(sub.status).toBe(201);
      const moved = await p.call('PATCH', `/api/v1/webhooks/${sub.body.id}`, { token: admin, body: { url: 'http://169.254.169.254/latest/meta-data/' } });
      expect(moved.status).toBe(400);
      expect(moved.body.errors[0]).toMatchObject({ in: 'body', field: 'url' });
      expect((await p.call('GET', `/api/v1/webhooks/${sub.body.id}`, { token: admin })).body.url).toBe(r.url);
      await p.call('DELETE', `/api/v1/webhooks/${sub.body.id}`, { token: admin });
    } finally {
      await r.close();
    }
  });

  it('checks the target again at delivery: one that now points at a refused address fails at once, unsent', async () => {
    const allowedReceiver = await receiver(() => '', 0);
    const internal = await receiver(() => '', 0, '127.0.0.2');
    try {
      const sub = await p.call('POST', '/api/v1/webhooks', {
        token: admin,
        body: { name: 'rebound', url: allowedReceiver.url, eventTypes: ['io.lakeplane.iam.user.created.v1'] },
      });
      expect(sub.status).toBe(201);
      // What a name that now resolves elsewhere, or a subscription stored before targets were checked, looks like.
      await p.running.platform.store.db.updateTable('webhook_subscriptions').set({ url: internal.url }).where('id', '=', sub.body.id).execute();
      expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'rebound1', password: 'a-password-123' } })).status).toBe(201);
      const failed = await waitFor(
        'the delivery given up',
        async () => {
          const log = await p.call('GET', `/api/v1/webhooks/${sub.body.id}/deliveries?status=failed`, { token: admin });
          return log.body.items[0];
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(failed).toMatchObject({
        attempts: 1,
        lastStatus: null,
        lastError: expect.stringMatching(/^refused target: its address 127\.0\.0\.2 is loopback/),
      });
      expect(internal.tries.size).toBe(0);
      expect(allowedReceiver.tries.size).toBe(0);
      await p.call('DELETE', `/api/v1/webhooks/${sub.body.id}`, { token: admin });
    } finally {
      await allowedReceiver.close();
      await internal.close();
    }
  }, 30_000);

  it('does not follow a redirect, so a 3xx cannot lead a delivery to a refused address', async () => {
    const internal = await receiver(() => '', 0, '127.0.0.2');
    const redirecting = await receiver(
      () => '',
      0,
      '127.0.0.1',
      (res) => res.writeHead(307, { location: internal.url }).end(),
    );
    try {
      const sub = await p.call('POST', '/api/v1/webhooks', {
        token: admin,
        body: { name: 'redirecting', url: redirecting.url, eventTypes: ['io.lakeplane.iam.user.created.v1'] },
      });
      expect(sub.status).toBe(201);
      expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'redirected1', password: 'a-password-123' } })).status).toBe(201);
      const failed = await waitFor(
        'the delivery given up',
        async () => {
          const log = await p.call('GET', `/api/v1/webhooks/${sub.body.id}/deliveries?status=failed`, { token: admin });
          return log.body.items[0];
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(failed).toMatchObject({ attempts: 3, lastStatus: 307, lastError: 'HTTP 307 (redirects are not followed)' });
      expect([...redirecting.tries.values()]).toEqual([3]);
      expect(internal.tries.size).toBe(0);
      await p.call('DELETE', `/api/v1/webhooks/${sub.body.id}`, { token: admin });
    } finally {
      await redirecting.close();
      await internal.close();
    }
  }, 30_000);
});
