// Helpers for the gateway tests: each function served by its own server (as its own Knative Service would be) on one
// PostgreSQL database, with a record of the requests each one received, and a gateway in front of them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../shared/config/index.js';
import { listen, type LakeplaneFunction, type ListeningServer } from '../../shared/http/index.js';
import { createLogger } from '../../shared/log/index.js';
import { createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { startGateway, type EdgeDependencies, type GatewayEdge, type RunningGateway } from '../../functions/gateway/index.js';

export const ISSUER = 'http://lakeplane.test';

/** One request as a function server saw it. */
export interface Hit {
  readonly function: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface FunctionServer {
  readonly name: string;
  readonly url: string;
  readonly running: RunningPlatform;
  readonly server: ListeningServer;
}

export const commonEnv = (databaseUrl: string): Record<string, string> => ({
  LAKEPLANE_MODE: 'embedded',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: databaseUrl,
  LAKEPLANE_ISSUER: ISSUER,
  LAKEPLANE_LOG_LEVEL: process.env['LAKEPLANE_TEST_LOG_LEVEL'] ?? 'silent',
  LAKEPLANE_MIGRATE_ON_START: 'false',
});

/** Serves one function on its own port, as FUNCTION_TARGET=<name> does; every request it receives lands in `hits`. */
export async function serveFunction(fn: LakeplaneFunction, databaseUrl: string, hits: Hit[]): Promise<FunctionServer> {
  const config = loadConfig({ ...commonEnv(databaseUrl), FUNCTION_TARGET: fn.name });
  const running = await createPlatform(config, [fn], createLogger(config.LAKEPLANE_LOG_LEVEL));
  const server = await listen([fn], running, 0, '127.0.0.1');
  server.server.prependListener('request', (req: IncomingMessage) =>
    hits.push({ function: fn.name, method: req.method ?? '', url: req.url ?? '', headers: req.headers }),
  );
  return { name: fn.name, url: server.url, running, server };
}

export async function serveGateway(
  functions: readonly LakeplaneFunction[],
  databaseUrl: string,
  upstreams: Record<string, string>,
  env: Record<string, string> = {},
  edges?: (deps: EdgeDependencies) => GatewayEdge[],
): Promise<RunningGateway> {
  const config = loadConfig({
    ...commonEnv(databaseUrl),
    FUNCTION_TARGET: 'gateway',
    LAKEPLANE_GATEWAY_UPSTREAMS: JSON.stringify(upstreams),
    ...env,
  });
  return startGateway(config, functions, edges ? { edges } : {});
}

/** A stand-in for every function: one HTTP server on loopback whose answers the test steers through `handle`. */
export async function standInFunction(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Every function of the platform at one URL (a stand-in's). */
export const everyFunctionAt = (functions: readonly LakeplaneFunction[], url: string): Record<string, string> =>
  Object.fromEntries(functions.map((f) => [f.name, url]));

/** Closes the gateways and stops what they hold (their pools, their database connections). */
export async function stopGateways(...gateways: Array<RunningGateway | undefined>): Promise<void> {
  for (const g of gateways) {
    await g?.close();
    await g?.stop();
  }
}
