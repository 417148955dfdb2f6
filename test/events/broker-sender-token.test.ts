import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { readRequestBody, startHttpServer, type TestHttpServer } from '../support/http-server.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * A Broker with Knative's authentication-oidc refuses events without a sender identity: with
 * LAKEPLANE_BROKER_TOKEN_FILE (a projected ServiceAccount token for the Broker's audience) every event the platform
 * POSTs carries it, read afresh each time because the kubelet rotates the file in place. The Broker here is a
 * recording HTTP server that answers 401 to a delivery without the token it expects.
 */
describe.each(backends())('events POSTed to the Broker carry the sender token on %s', (backend) => {
  let p: TestPlatform;
  let broker: TestHttpServer;
  let dir: string;
  let tokenFile: string;
  let expected = 'first-projected-token';
  const seen: Array<{ type: string; authorization: string | undefined; status: number; body: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-broker-token-'));
    tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, `${expected}\n`);
    broker = await startHttpServer(async (req, res) => {
      const body = String(await readRequestBody(req));
      const status = req.headers.authorization === `Bearer ${expected}` ? 202 : 401;
      seen.push({ type: String(req.headers['ce-type']), authorization: req.headers.authorization, status, body });
      res.writeHead(status).end();
    });
    p = await startPlatform(backend, { env: { LAKEPLANE_BROKER_URL: broker.url, LAKEPLANE_BROKER_TOKEN_FILE: tokenFile } });
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the token with every event, and the rotated one once the file changed', async () => {
    const admin = await p.adminToken();
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'ada', password: 'ada-password-123' } })).status).toBe(201);
    await waitFor('an event accepted by the Broker', () => seen.some((s) => s.status === 202));
    expect(seen.every((s) => s.authorization === 'Bearer first-projected-token')).toBe(true);

    expected = 'rotated-projected-token';
    writeFileSync(tokenFile, expected);
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'grace', password: 'grace-password-123' } })).status).toBe(201);
    // The events of this second change, not whatever of the first was still on its way when the file was rewritten.
    const graces = () => seen.filter((s) => s.body.includes('grace'));
    await waitFor('an event sent with the rotated token', () => graces().some((s) => s.status === 202));
    expect(graces().every((s) => s.authorization === 'Bearer rotated-projected-token')).toBe(true);
  });
});
