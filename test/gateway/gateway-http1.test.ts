// The gateway's own HTTP/1.1 reader (functions/gateway/http1): plain requests are read and answered without Node's
// HTTP server, everything else is handed to it whole. Raw sockets on both sides, so the bytes are what is asserted:
// keep-alive and pipelining in order, bodies both ways, the function's framing turned into the client's, requests
// the reader does not take still served (or refused) by Node, and a malformed answer from a function a 502.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/index.js';
import type { RunningGateway } from '../../functions/gateway/index.js';
import { createScratchDatabase } from '../support/databases.js';
import { everyFunctionAt, serveGateway, standInFunction, stopGateways } from './gateway-support.js';

/** Sends `bytes` on a new connection and returns everything the gateway wrote until it closed the connection. */
async function exchange(url: string, bytes: string | Buffer[]): Promise<string> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  if (typeof bytes === 'string') socket.write(bytes);
  else for (const b of bytes) socket.write(b);
  await once(socket, 'close');
  return Buffer.concat(received).toString('latin1');
}

const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

describe("the gateway's HTTP/1.1 reader", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let upstream: Awaited<ReturnType<typeof standInFunction>>;
  let gateway: RunningGateway;
  let raw: TcpServer;
  let rawGateway: RunningGateway;
  let rawAnswer = '';
  let onRequest: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok');

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    upstream = await standInFunction((req, res) => onRequest(req, res));
    gateway = await serveGateway(allFunctions, scratch.url, everyFunctionAt(allFunctions, upstream.url), {
      LAKEPLANE_MIGRATE_ON_START: 'true',
      LAKEPLANE_GATEWAY_ANONYMOUS_RATE: '0',
    });
    // A "function" that answers whatever bytes the test sets, to show what the gateway does with a bad answer.
    raw = createTcpServer((socket: Socket) => socket.once('data', () => socket.end(rawAnswer)));
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    rawGateway = await serveGateway(allFunctions, scratch.url, everyFunctionAt(allFunctions, rawUrl), {
      LAKEPLANE_GATEWAY_ANONYMOUS_RATE: '0',
    });
  });

  afterAll(async () => {
    await stopGateways(gateway, rawGateway);
    await upstream?.close();
    await new Promise((resolve) => raw?.close(resolve));
    await scratch?.drop();
  });

  it('answers pipelined requests in order on one connection, and passes a body with a length whole', async () => {
    let n = 0;
    onRequest = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        n++;
        // The first answer is slow: the second, already read, must still come after it.
        setTimeout(() => res.end(`#${n} ${req.method} ${req.url} [${Buffer.concat(chunks).toString()}]`), n === 1 ? 100 : 0);
      });
    };
    const body = 'x'.repeat(70_000);
    const transcript = await exchange(gateway.url, [
      Buffer.from('GET /api/v1/me HTTP/1.1\r\nHost: gw\r\n\r\n'),
      Buffer.from(`POST /api/v1/jobs HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 1000)}`),
      Buffer.from(`${body.slice(1000)}GET /api/v1/me?last=1 HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`),
    ]);
    const answers = transcript.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(3);
    expect(answers.map((a) => a.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(bodyOf(answers[0] as string)).toBe('#1 GET /api/v1/me []');
    expect(bodyOf(answers[1] as string)).toBe(`#2 POST /api/v1/jobs [${body}]`);
    expect(bodyOf(answers[2] as string)).toBe('#3 GET /api/v1/me?last=1 []');
    expect(answers[2]).toMatch(/\r\nconnection: close\r\n/i);
    for (const a of answers) expect(a).toMatch(/\r\nx-request-id: [\w-]+\r\n/);
  });

  it('frames the answer as the function framed it: chunked stays chunked, HEAD and 204 have no body', async () => {
    onRequest = (req, res) => {
      if (req.url === '/api/v1/me?nobody') return void res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first ');
      setTimeout(() => res.end('second'), 20);
    };
    const chunked = await exchange(gateway.url, 'GET /api/v1/me HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(chunked).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(bodyOf(chunked)).toBe('6\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n');
    const head = await exchange(gateway.url, 'HEAD /api/v1/me HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(bodyOf(head)).toBe('');
    const none = await exchange(gateway.url, 'GET /api/v1/me?nobody HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(none.split('\r\n')[0]).toBe('HTTP/1.1 204 No Content');
    expect(none).not.toMatch(/transfer-encoding|content-length: [1-9]/i);
    expect(bodyOf(none)).toBe('');
  });

  it("hands what it does not read itself to Node's server: a chunked upload, Expect: 100-continue, HTTP/1.0", async () => {
    onRequest = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(`${req.method} ${req.headers['transfer-encoding'] ?? '-'} [${Buffer.concat(chunks).toString()}]`));
    };
    const chunkedUpload = await exchange(
      gateway.url,
      'POST /api/v1/jobs HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    expect(bodyOf(chunkedUpload)).toMatch(/POST chunked \[hello world\]$/);
    const expecting = await exchange(
      gateway.url,
      'POST /api/v1/jobs HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok',
    );
    expect(expecting).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(expecting).toMatch(/\[ok\]/);
    const old = await exchange(gateway.url, 'GET /api/v1/me HTTP/1.0\r\nHost: gw\r\n\r\n');
    expect(old.split('\r\n')[0]).toMatch(/^HTTP\/1\.[01] 200 OK$/);
  });

  it('passes a large chunked upload whole to a function that reads it slowly', async () => {
    onRequest = (req, res) => {
      const digest = createHash('sha256');
      req.pause();
      // The function does not read at first: the gateway's writes to it fill up, and it must wait, not drop bytes.
      setTimeout(() => {
        req.on('data', (c: Buffer) => digest.update(c));
        req.on('end', () => res.end(digest.digest('hex')));
        req.resume();
      }, 300);
    };
    const pieces = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
    let next = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next === pieces.length) return controller.close();
        controller.enqueue(new Uint8Array(pieces[next++] as Buffer));
      },
    });
    const response = await fetch(`${gateway.url}/api/v1/jobs`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(createHash('sha256').update(Buffer.concat(pieces)).digest('hex'));
  });

  it("refuses through Node's server what is malformed, and answers 404 itself", async () => {
    const folded = await exchange(gateway.url, 'GET /api/v1/me HTTP/1.1\r\nHost: gw\r\nX-A: 1\r\n folded\r\n\r\n');
    expect(folded.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const twoLengths = await exchange(gateway.url, 'POST /api/v1/jobs HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
    expect(twoLengths.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const unknown = await exchange(gateway.url, 'GET /no/such/path HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(unknown.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect(JSON.parse(bodyOf(unknown))).toMatchObject({ status: 404 });
  });

  it("answers 502 with a problem when a function's answer is malformed, and keeps serving", async () => {
    for (const bad of ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', 'nonsense\r\n\r\n', 'HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n']) {
      rawAnswer = bad;
      const answer = await exchange(rawGateway.url, 'GET /api/v1/me HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
      expect(answer.split('\r\n')[0], bad).toBe('HTTP/1.1 502 Bad Gateway');
      expect(JSON.parse(bodyOf(answer)).detail, bad).toMatch(/iam function/);
    }
    rawAnswer = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread to the close';
    const toTheClose = await exchange(rawGateway.url, 'GET /api/v1/me HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(toTheClose).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(bodyOf(toTheClose)).toBe('11\r\nread to the close\r\n0\r\n\r\n');
  });
});
