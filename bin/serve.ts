import { ConfigError, loadConfig, type Config } from '../shared/config/index.js';
import { DataDirectoryInUseError, lockDataDirectory } from '../shared/db/index.js';
import { ensurePortAvailable, listen, PortUnavailableError } from '../shared/http/index.js';
import type { Logger } from '../shared/log/index.js';
import { createPlatform } from '../shared/platform/index.js';
import { functionNames, GATEWAY_TARGET, loadAllFunctions, loadFunction, loadGateway } from '../functions/registry.js';

/** What main() runs until a signal: a server that drains, then the platform behind it. */
interface Served {
  readonly log: Logger;
  close(options: { graceMs: number }): Promise<void>;
  stop(options: { forceStoreAfterMs: number }): Promise<void>;
}

/** FUNCTION_TARGET=<name> serves one function; unset, every function on one port (embedded mode). */
async function serveFunctions(config: Config): Promise<Served> {
  const target = config.FUNCTION_TARGET;
  const selected = target ? [await loadFunction(target)].filter((f) => f !== undefined) : await loadAllFunctions();
  if (selected.length === 0) {
    process.stderr.write(
      `Invalid configuration: FUNCTION_TARGET ${target} is not a function; choose one of ${[...functionNames, GATEWAY_TARGET].join(', ')}\n`,
    );
    process.exit(2);
  }
  const running = await createPlatform(config, selected);
  // Embedded, the one port also serves the lakehouses' own protocols (HiveServer2 over HTTP, Spark Connect), as the
  // gateway does in a cluster; one function alone (FUNCTION_TARGET) serves only its routes.
  const lakehouseEdge = target ? undefined : (await loadGateway()).createLakehouseEdge(running.platform);
  const server = await listen(selected, running, config.PORT, config.HOST, lakehouseEdge);
  const log = running.platform.logger;
  log.info(
    { url: server.url, functions: selected.map((f) => f.name), database: running.platform.store.driver, events: running.platform.transport.name },
    'lakeplane listening',
  );
  if (config.LAKEPLANE_MODE === 'embedded' && process.stderr.isTTY)
    process.stderr.write(`\n  Lakeplane is up at ${server.url}  (OpenAPI: ${server.url}/openapi.json)\n\n`);
  return { log, close: (options) => server.close(options), stop: (options) => running.stop(options) };
}

/** FUNCTION_TARGET=gateway: the gateway in front of every function, routing by their route table. */
async function serveGateway(config: Config): Promise<Served> {
  const { startGateway } = await loadGateway();
  const gateway = await startGateway(config, await loadAllFunctions());
  const log = gateway.running.platform.logger;
  log.info({ url: gateway.url, functions: functionNames, database: gateway.running.platform.store.driver }, 'lakeplane gateway listening');
  return { log, close: (options) => gateway.close(options), stop: (options) => gateway.stop(options) };
}

/**
 * The process entry: FUNCTION_TARGET=<name> serves one function (a Knative Service), FUNCTION_TARGET=gateway the
 * gateway in front of them; unset, every function is served from one process on one port (embedded mode, `npm start`).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Refused in one line and at once, before the store is opened: another Lakeplane on this data directory (PGlite
  // admits one process), or a port that is taken (found out otherwise only after the migrations).
  if (config.LAKEPLANE_MODE === 'embedded' && !config.LAKEPLANE_DATA_DIR.startsWith('memory://')) {
    const lock = lockDataDirectory(config.LAKEPLANE_DATA_DIR);
    process.on('exit', () => lock.release());
  }
  await ensurePortAvailable(config.PORT, config.HOST);
  let served: Served;
  try {
    served = config.FUNCTION_TARGET === GATEWAY_TARGET ? await serveGateway(config) : await serveFunctions(config);
  } catch (err) {
    // The gateway's upstream map is checked against the functions at its start.
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = served.log;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.LAKEPLANE_SHUTDOWN_GRACE_SECONDS * 1000;
    log.info({ signal, graceMs }, 'shutting down');
    // Whatever hangs past the grace (a worker, a child process), the process still ends: a bounded shutdown.
    setTimeout(() => {
      log.error({ graceMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, graceMs + 10_000).unref();
    try {
      await served.close({ graceMs });
      // Requests are answered by now; a handler still holding a database connection (stuck on a lock) is cut off.
      await served.stop({ forceStoreAfterMs: 2_000 });
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof DataDirectoryInUseError || err instanceof PortUnavailableError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`lakeplane failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
