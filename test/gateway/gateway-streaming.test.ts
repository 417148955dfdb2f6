// The gateway's mechanics against a stand-in upstream that the test steers byte by byte (no function streams on
// command): answers and request bodies pass as they come, without buffering; anonymous floods are limited per
// client address; an edge takes the paths it claims and cleartext HTTP/2 connections, HTTP/1.1 ones still routed.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer as createHttp2Server } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/index.js';
import type { GatewayEdge, RunningGateway } from '../../functions/gateway/index.js';
import { createScratchDatabase } from '../support/databases.js';
import { everyFunctionAt, serveGateway, standInFunction, stopGateways } from './gateway-support.js';

const MB = 1024 * 1024;

/** A deferred the test resolves to let the stand-in go on. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('the gateway streams, limits anonymous callers per address, and hands claimed traffic to its edges', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let upstream: Awaited<ReturnType<typeof standInFunction>>;
  let gateway: RunningGateway;
  let limited: RunningGateway;
  let onRequest: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok');
  const h2 = createHttp2Server((_req, res) => res.end('spoken over h2c'));

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    upstream = await standInFunction((req, res) => onRequest(req, res));
    const everyFunctionHere = everyFunctionAt(allFunctions, upstream.url);
    const edge: GatewayEdge = {
      name: 'test-edge',
      claims: (path) => path.startsWith('/edge-claimed/'),
      handle: async (_req, res, request) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`edge saw ${request.requestId}`);
      },
      acceptHttp2: (socket) => h2.emit('connection', socket),
    };
    gateway = await serveGateway(
      allFunctions,
      scratch.url,
      everyFunctionHere,
      { LAKEPLANE_MIGRATE_ON_START: 'true', LAKEPLANE_GATEWAY_ANONYMOUS_RATE: '0' },
      () => [edge],
    );
    limited = await serveGateway(allFunctions, scratch.url, everyFunctionHere, { LAKEPLANE_GATEWAY_ANONYMOUS_RATE: '1' });
  });

  afterAll(async () => {
    await stopGateways(gateway, limited);
    await upstream?.close();
    h2.close();
    await scratch?.drop();
  });

  it('passes a large answer on as the function writes it, not once it has ended', async () => {
    const rest = gate();
    let written = 0;
    onRequest = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(MB, 1));
      written = MB;
      // The rest waits until the client has seen the first megabyte through the gateway.
      void rest.promise.then(async () => {
        for (let i = 1; i < 64; i++) {
          if (!res.write(Buffer.alloc(MB, 1))) await once(res, 'drain');
          written += MB;
        }
        res.end();
      });
    };
    const response = await fetch(`${gateway.url}/api/v1/me`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = 0;
    while (received < MB) received += (await reader.read()).value!.length;
    expect(written).toBe(MB);
    rest.open();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
    }
    expect(received).toBe(64 * MB);
  });

  it('drops the request to the function when the client leaves in the middle of the answer', async () => {
    const upstreamClosed = gate();
    onRequest = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(64 * 1024, 1));
      // The rest never comes: only the client leaving ends this answer.
      res.once('close', () => upstreamClosed.open());
    };
    const client = new AbortController();
    const response = await fetch(`${gateway.url}/api/v1/me`, { signal: client.signal });
    expect(response.status).toBe(200);
    await response.body!.getReader().read();
    client.abort();
    await upstreamClosed.promise;
  });

  it('cuts the client’s connection when the function fails in the middle of its answer', async () => {
    onRequest = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(MB) });
      res.write(Buffer.alloc(64 * 1024, 1), () => setTimeout(() => res.destroy(), 50));
    };
    const response = await fetch(`${gateway.url}/api/v1/me`);
    expect(response.status).toBe(200);
    // Not a clean end of a short body: the reader fails.
    await expect(response.arrayBuffer()).rejects.toThrow();
    // The gateway serves the next request as before.
    onRequest = (_req, res) => res.end('ok');
    expect(await (await fetch(`${gateway.url}/api/v1/me`)).text()).toBe('ok');
  });

  it('passes a request body on as the client sends it', async () => {
    const firstChunkArrived = gate();
    let upstreamReceived = 0;
    onRequest = (req, res) => {
      req.on('data', (chunk: Buffer) => {
        upstreamReceived += chunk.length;
        if (upstreamReceived >= MB) firstChunkArrived.open();
      });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: upstreamReceived })));
    };
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === MB) await firstChunkArrived.promise; // the function has the first megabyte before the second leaves
        if (sent === 8 * MB) return controller.close();
        controller.enqueue(new Uint8Array(MB));
        sent += MB;
      },
    });
    const response = await fetch(`${gateway.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 8 * MB });
  });

  it('limits requests without a credential per client address, bad tokens included', async () => {
    onRequest = (_req, res) => res.writeHead(401).end();
    const statuses: number[] = [];
    let refused: { headers: Headers; body: any } | undefined;
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${limited.url}/api/v1/me`, { headers: i % 2 ? { authorization: 'Bearer not-a-token' } : {} });
      statuses.push(r.status);
      const text = await r.text();
      if (r.status === 429) refused ??= { headers: r.headers, body: JSON.parse(text) };
    }
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses).toContain(429);
    expect(refused!.headers.get('ratelimit-policy')).toBe('"anonymous";q=2;w=2');
    expect(refused!.headers.get('retry-after')).toBe('1');
    expect(refused!.body.detail).toMatch(/client address/);
  });

  it('hands an edge the paths it claims and the cleartext HTTP/2 connections; HTTP/1.1 is still routed', async () => {
    onRequest = (_req, res) => res.end('from the function');
    const claimed = await fetch(`${gateway.url}/edge-claimed/x`, { headers: { 'x-request-id': 'edge-1' } });
    expect(await claimed.text()).toBe('edge saw edge-1');
    expect(claimed.headers.get('x-request-id')).toBe('edge-1');
    expect(await (await fetch(`${gateway.url}/api/v1/me`)).text()).toBe('from the function');

    const session = connect(gateway.url);
    try {
      const stream = session.request({ ':path': '/spark.connect.SparkConnectService/ExecutePlan', ':method': 'POST' });
      stream.end();
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (text += c));
      await once(stream, 'end');
      expect(text).toBe('spoken over h2c');
    } finally {
      session.close();
    }
  });
});
