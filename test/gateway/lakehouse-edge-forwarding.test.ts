import { connect as connectHttp2 } from 'node:http2';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakehouseEdge } from '../../functions/gateway/lakehouse-edge/index.js';
import { allFunctions } from '../../functions/index.js';
import { loadConfig } from '../../shared/config/index.js';
import { listen, type ListeningServer } from '../../shared/http/index.js';
import { createLogger } from '../../shared/log/index.js';
import { createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { ADMIN_PASSWORD } from '../support/platform.js';

/**
 * What the edge carries, without a JVM: a stand-in driver (fake-protocol-driver.mjs) speaks HiveServer2's binary
 * transport and h2c. A HiveServer2 HTTP call reaches the driver on a lane authenticated as the caller, and its reply
 * comes back byte for byte; a Spark Connect call arrives with its metadata and gets the driver's messages and
 * trailers; large answers of both stream through; the first connection to the stopped lakehouse started it.
 */
const DRIVER = path.resolve(import.meta.dirname, 'fake-protocol-driver.mjs');

describe('the lakehouse edge carries HiveServer2 and Spark Connect calls to the driver', () => {
  let running: RunningPlatform;
  let server: ListeningServer;
  let admin: string;
  let pat: string;

  beforeAll(async () => {
    const config = loadConfig({
      LAKEPLANE_MODE: 'embedded',
      PORT: '0',
      HOST: '127.0.0.1',
      LAKEPLANE_DATA_DIR: 'memory://',
      LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LAKEPLANE_LOG_LEVEL: process.env['LAKEPLANE_TEST_LOG_LEVEL'] ?? 'silent',
      LAKEPLANE_SPARK_SUBMIT: DRIVER,
      LAKEPLANE_LAKEHOUSE_JARS: '/opt/lakeplane/jars/not-needed-by-the-fake-driver.jar',
      LAKEPLANE_LAKEHOUSES_SUPERVISE_MS: '200',
      LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS: '30',
    });
    running = await createPlatform(config, allFunctions, createLogger(config.LAKEPLANE_LOG_LEVEL));
    server = await listen(allFunctions, running, 0, '127.0.0.1', createLakehouseEdge(running.platform));
    const token = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }),
    });
    admin = ((await token.json()) as { access_token: string }).access_token;
    const api = (url: string, body: unknown) =>
      fetch(`${server.url}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await api('/api/v1/lakehouses', { name: 'echo' })).status).toBe(201);
    pat = ((await (await api('/api/v1/tokens', { name: 'edge' })).json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => {
    await fetch(`${server.url}/api/v1/lakehouses/echo/stop`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } }).catch(() => undefined);
    await server?.close();
    await running?.stop();
  });

  const hive = async (body: string, password = pat) => {
    const r = await fetch(`${server.url}/lakehouses/echo/hive`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-thrift', authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
      body,
    });
    return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
  };

  it('HiveServer2 over HTTP: the first call starts the lakehouse and waits; calls go as the caller, replies come back whole', async () => {
    const first = await hive('hello');
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe('admin:hello');
    const lakehouse = (await (await fetch(`${server.url}/api/v1/lakehouses/echo`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
      state: string;
    };
    expect(lakehouse.state).toBe('RUNNING');
    // Concurrent calls of one credential take more lanes; each gets its own reply.
    const many = await Promise.all(Array.from({ length: 5 }, (_, i) => hive(`call-${i}`)));
    expect(many.map((m) => m.body.toString())).toEqual(Array.from({ length: 5 }, (_, i) => `admin:call-${i}`));
    const big = await hive(`big:${32 * 1024 * 1024}`);
    expect(big.body.length).toBe(32 * 1024 * 1024);
  }, 60_000);

  it('Spark Connect over h2c: metadata reaches the driver, messages and trailers come back, a large answer streams through', async () => {
    const session = connectHttp2(server.url);
    const grpc = (headers: Record<string, string>, body: Buffer) =>
      new Promise<{ status: string | undefined; bytes: number; text: string }>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/spark.connect.SparkConnectService/ExecutePlan',
          'content-type': 'application/grpc',
          te: 'trailers',
          'x-lakeplane-lakehouse': 'echo',
          'x-lakeplane-token': pat,
          ...headers,
        });
        let status: string | undefined;
        let bytes = 0;
        let text = '';
        stream.on('response', (h) => (status = h['grpc-status'] as string | undefined));
        stream.on('trailers', (h) => (status = h['grpc-status'] as string | undefined));
        stream.on('data', (c: Buffer) => {
          bytes += c.length;
          if (text.length < 200) text += c.toString('latin1');
        });
        stream.on('error', reject);
        stream.on('close', () => resolve({ status, bytes, text }));
        stream.end(body);
      });
    try {
      const small = await grpc({}, Buffer.from('\0\0\0\0\u0003abc'));
      expect(small.status).toBe('0');
      expect(small.text).toBe(`${pat}|\0\0\0\0\u0003abc`);
      const big = await grpc({ 'x-big': String(64 * 1024 * 1024) }, Buffer.alloc(5));
      expect(big).toMatchObject({ status: '0', bytes: 64 * 1024 * 1024 });
    } finally {
      session.close();
    }
  }, 60_000);
});
