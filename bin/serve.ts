import { ConfigError, loadConfig } from '../shared/config/index.js';
import { listen } from '../shared/http/index.js';
import { createPlatform } from '../shared/platform/index.js';
import { functionNames, loadAllFunctions, loadFunction } from '../functions/registry.js';

/**
 * The process entry: FUNCTION_TARGET=<name> serves one function (a Knative Service); unset, every function is
 * served from one process on one port (embedded mode, `npm start`).
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
  const target = config.FUNCTION_TARGET;
  const selected = target ? [await loadFunction(target)].filter((f) => f !== undefined) : await loadAllFunctions();
  if (selected.length === 0) {
    process.stderr.write(`Invalid configuration: FUNCTION_TARGET ${target} is not a function; choose one of ${functionNames.join(', ')}\n`);
    process.exit(2);
  }
  const running = await createPlatform(config, selected);
  const server = await listen(selected, running, config.PORT, config.HOST);
  const log = running.platform.logger;
  log.info(
    { url: server.url, functions: selected.map((f) => f.name), database: running.platform.store.driver, events: running.platform.transport.name },
    'lakeplane listening',
  );
  if (config.LAKEPLANE_MODE === 'embedded' && process.stderr.isTTY)
    process.stderr.write(`\n  Lakeplane is up at ${server.url}  (OpenAPI: ${server.url}/openapi.json)\n\n`);

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
      await server.close({ graceMs });
      // Requests are answered by now; a handler still holding a database connection (stuck on a lock) is cut off.
      await running.stop({ forceStoreAfterMs: 2_000 });
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
  process.stderr.write(`lakeplane failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
