import { connect as connectHttp2, type IncomingHttpHeaders } from 'node:http2';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakehouseEdge } from '../../functions/gateway/lakehouse-edge/index.js';
import { allFunctions } from '../../functions/index.js';
import { loadConfig } from '../../shared/config/index.js';
import { listen, type ListeningServer } from '../../shared/http/index.js';
import { createLogger } from '../../shared/log/index.js';
import { createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { ADMIN_PASSWORD } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * `npm start`'s one port serves lakehouses by name beside the API, as the gateway does in a cluster: the API answers
 * as ever over HTTP/1.1, HiveServer2 calls (HTTP transport) and Spark Connect calls (h2c, gRPC) to a lakehouse are
 * refused in words the clients show when the lakehouse is unknown, has auto-start off, or is still starting when the
 * wait runs out (a driver that takes its time: test/support/fake-lakehouse-driver.mjs). The real clients against a
 * real driver are in lakehouse-edge.test.ts.
 */
const FAKE_DRIVER = path.resolve(import.meta.dirname, '../support/fake-lakehouse-driver.mjs');

/** A TCLIService call as TBinaryProtocol writes it (strict), with an empty argument struct: enough to be refused. */
function thriftCall(method: string): Buffer {
  const name = Buffer.from(method);
  const b = Buffer.alloc(12 + name.length + 1);
  b.writeUInt32BE(0x80010001, 0);
  b.writeInt32BE(name.length, 4);
  name.copy(b, 8);
  b.writeInt32BE(7, 8 + name.length);
  b[12 + name.length] = 0;
  return b;
}

/** One gRPC call over h2c: the response headers and trailers (a trailers-only answer has its status in the headers). */
async function grpcCall(url: string, headers: Record<string, string>): Promise<{ status: string | undefined; message: string }> {
  const session = connectHttp2(url);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/spark.connect.SparkConnectService/ExecutePlan',
        'content-type': 'application/grpc',
        te: 'trailers',
        ...headers,
      });
      let answer: IncomingHttpHeaders = {};
      stream.on('response', (h) => (answer = { ...h }));
      stream.on('trailers', (h) => (answer = { ...answer, ...h }));
      stream.on('error', reject);
      stream.on('close', () =>
        resolve({ status: answer['grpc-status'] as string | undefined, message: decodeURIComponent(String(answer['grpc-message'] ?? '')) }),
      );
      stream.resume();
      // An empty ExecutePlanRequest message: compressed flag 0, length 0.
      stream.end(Buffer.alloc(5));
    });
  } finally {
    session.close();
  }
}

describe("lakehouses by name on the embedded server's port", () => {
  let running: RunningPlatform;
  let server: ListeningServer;
  let admin: string;

  beforeAll(async () => {
    const config = loadConfig({
      LAKEPLANE_MODE: 'embedded',
      PORT: '0',
      HOST: '127.0.0.1',
      LAKEPLANE_DATA_DIR: 'memory://',
      LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LAKEPLANE_LOG_LEVEL: process.env['LAKEPLANE_TEST_LOG_LEVEL'] ?? 'silent',
      LAKEPLANE_SPARK_SUBMIT: FAKE_DRIVER,
      LAKEPLANE_LAKEHOUSE_JARS: '/opt/lakeplane/jars/not-needed-by-the-fake-driver.jar',
      LAKEPLANE_LAKEHOUSES_SUPERVISE_MS: '200',
      LAKEPLANE_LAKEHOUSE_CONNECT_WAIT_SECONDS: '1',
    });
    running = await createPlatform(config, allFunctions, createLogger(config.LAKEPLANE_LOG_LEVEL));
    server = await listen(allFunctions, running, 0, '127.0.0.1', createLakehouseEdge(running.platform));
    const token = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }),
    });
    admin = ((await token.json()) as { access_token: string }).access_token;
    const api = (body: unknown) =>
      fetch(`${server.url}/api/v1/lakehouses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await api({ name: 'manual', autoStart: false })).status).toBe(201);
    // A driver that listens only after a minute: still starting when the one-second wait runs out.
    expect((await api({ name: 'slow', sparkConf: { 'spark.test.fakeDriver.listenAfterMs': '60000' } })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await fetch(`${server.url}/api/v1/lakehouses/slow/stop`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } }).catch(() => undefined);
    await server?.close();
    await running?.stop();
  });

  const hive = (lakehouse: string, credentials: string | undefined, body: Buffer) =>
    fetch(`${server.url}/lakehouses/${lakehouse}/hive`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-thrift', ...(credentials ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {}) },
      body: new Uint8Array(body),
    });

  it('answers the API over HTTP/1.1 on the same port', async () => {
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${admin}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { name: string }).name).toBe('admin');
  });

  it('HiveServer2 over HTTP: asks for Basic credentials, and refuses an unknown or manual lakehouse inside the Thrift reply', async () => {
    const anonymous = await hive('manual', undefined, Buffer.from('x'));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(anonymous.headers.get('content-type')).toMatch(/problem\+json/);

    const unknown = await hive('nope', `admin:${admin}`, thriftCall('OpenSession'));
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get('content-type')).toBe('application/x-thrift');
    expect(Buffer.from(await unknown.arrayBuffer()).toString('latin1')).toContain('lakehouse nope does not exist');

    const manual = await hive('manual', `admin:${admin}`, thriftCall('OpenSession'));
    expect(Buffer.from(await manual.arrayBuffer()).toString('latin1')).toMatch(/lakehouse manual is stopped and auto-start is off/);

    const someoneElse = await hive('manual', `ana:${admin}`, thriftCall('OpenSession'));
    expect(Buffer.from(await someoneElse.arrayBuffer()).toString('latin1')).toContain('the credential belongs to admin, not to ana');
  });

  it('Spark Connect over h2c: names the lakehouse in a header; unknown is NOT_FOUND, manual FAILED_PRECONDITION, no token UNAUTHENTICATED', async () => {
    const h2 = server.url;
    expect(await grpcCall(h2, { 'x-lakeplane-token': admin })).toMatchObject({ status: '3', message: expect.stringMatching(/x-lakeplane-lakehouse=NAME/) });
    expect(await grpcCall(h2, { 'x-lakeplane-token': admin, 'x-lakeplane-lakehouse': 'nope' })).toEqual({
      status: '5',
      message: 'lakehouse nope does not exist',
    });
    expect(await grpcCall(h2, { 'x-lakeplane-token': admin, 'x-lakeplane-lakehouse': 'manual' })).toMatchObject({
      status: '9',
      message: expect.stringMatching(/auto-start is off/),
    });
    expect(await grpcCall(h2, { 'x-lakeplane-lakehouse': 'manual' })).toMatchObject({ status: '16' });
  });

  it('a connection to a stopped lakehouse with auto-start starts it; past the wait the client is told it is still starting', async () => {
    expect(await grpcCall(server.url, { authorization: `Bearer ${admin}`, 'x-lakeplane-lakehouse': 'slow' })).toEqual({
      status: '14',
      message: expect.stringMatching(/^lakehouse slow is starting and did not serve within 1 s/),
    });
    const starting = await hive('slow', `admin:${admin}`, thriftCall('OpenSession'));
    expect(Buffer.from(await starting.arrayBuffer()).toString('latin1')).toMatch(/lakehouse slow is starting and did not serve within 1 s/);
    const state = await waitFor('slow to be starting', async () => {
      const l = (await (await fetch(`${server.url}/api/v1/lakehouses/slow`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { state: string };
      return l.state === 'STARTING' ? l.state : undefined;
    });
    expect(state).toBe('STARTING');
  });
});
