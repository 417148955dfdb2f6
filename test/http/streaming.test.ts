import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFunction, route } from '../../shared/http/index.js';
import { listen, type ListeningServer } from '../../shared/http/server.js';
import { loadConfig } from '../../shared/config/index.js';
import { createLogger } from '../../shared/log/index.js';
import { registerWithFramework } from '../../shared/framework/index.js';
import { createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { waitFor } from '../support/wait.js';

/**
 * A streamed reply (Reply.stream) through both edges that serve our pipeline: our own server and the
 * functions-framework's. The chunks arrive as they are written, with chunked encoding; a client that leaves aborts
 * the writer (its timer is cleared).
 */
const state = { aborted: 0 };
const streamer = defineFunction({
  name: 'streamer',
  description: 'a streamed reply, for the pipeline test',
  routes: [
    route({
      method: 'GET',
      path: '/stream',
      operationId: 'streamer.stream',
      summary: 'chunks every 100 ms',
      auth: 'public',
      responses: { 200: { description: 'text' } },
      handler: async (ctx) => ({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        stream: async (write, signal) => {
          // ?chunks=N ends after N chunks; without it the stream goes on until the client leaves.
          const chunks = Number(ctx.query['chunks'] ?? 1000);
          for (let i = 1; i <= chunks; i++) {
            await write(`chunk ${i}\n`);
            if (i === chunks) return;
            const stopped = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), 100);
              signal.addEventListener('abort', () => (clearTimeout(timer), resolve(true)), { once: true });
            });
            if (stopped) {
              state.aborted += 1;
              return;
            }
          }
        },
      }),
    }),
  ],
});

async function followed(url: string) {
  const r = await fetch(url);
  const arrivals: number[] = [];
  let text = '';
  const reader = r.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    arrivals.push(Date.now());
  }
  return { r, text, arrivals };
}

describe.each(['our server', 'the functions-framework'] as const)('a streamed reply through %s', (edge) => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    state.aborted = 0;
    const env = {
      LAKEPLANE_MODE: 'embedded',
      LAKEPLANE_DATA_DIR: 'memory://',
      LAKEPLANE_LOG_LEVEL: 'silent',
      LAKEPLANE_ADMIN_PASSWORD: 'stream-test-admin-password',
      PORT: '0',
    };
    if (edge === 'our server') {
      const running: RunningPlatform = await createPlatform(loadConfig(env), [streamer], createLogger('silent'));
      const server: ListeningServer = await listen([streamer], running, 0, '127.0.0.1');
      url = server.url;
      close = async () => {
        await server.close();
        await running.stop();
      };
    } else {
      Object.assign(process.env, env);
      registerWithFramework(streamer);
      const server = getTestServer('streamer');
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections()));
    }
    await (await fetch(`${url}/stream?chunks=1`)).text(); // the framework builds the platform on its first request
  }, 60_000);
  afterAll(async () => close?.());

  it('sends the chunks as they are written, chunked, then ends', async () => {
    const { r, text, arrivals } = await followed(`${url}/stream?chunks=3`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    expect(text).toBe('chunk 1\nchunk 2\nchunk 3\n');
    expect(arrivals.length).toBeGreaterThanOrEqual(2); // a busy machine may hand two chunks over in one read
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(100); // two waits of 100 ms between them
  });

  it('a client that leaves aborts the writer', async () => {
    const controller = new AbortController();
    const r = await fetch(`${url}/stream`, { signal: controller.signal });
    const reader = r.body!.getReader();
    await reader.read();
    controller.abort();
    await waitFor('the writer to be aborted', () => state.aborted === 1, { timeoutMs: 5_000, intervalMs: 20 });
  });
});
