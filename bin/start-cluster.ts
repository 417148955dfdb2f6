import { LocalClusterError, startLocalCluster } from './local-cluster/index.js';

/**
 * `npm run start:cluster`: every function as its own process on PostgreSQL, the local Broker and PingSource of
 * eventing/, the gateway in front on PORT (bin/local-cluster/). Ctrl-C or SIGTERM ends all of it.
 */
async function main(): Promise<void> {
  const port = process.env['PORT'] === undefined ? 8080 : Number(process.env['PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`PORT ${process.env['PORT']} is not a port number\n`);
    process.exit(2);
  }
  const cluster = await startLocalCluster({
    databaseUrl: process.env['DATABASE_URL'],
    port,
    ...(process.env['HOST'] ? { host: process.env['HOST'] } : {}),
    ...(process.env['LAKEPLANE_CLUSTER_DIR'] ? { stateDir: process.env['LAKEPLANE_CLUSTER_DIR'] } : {}),
    output: (_name, line) => process.stdout.write(`${line}\n`),
  });
  const where = cluster.url
    ? `Lakeplane (cluster layout) is up at ${cluster.url}  (OpenAPI: ${cluster.url}/openapi.json)`
    : `Lakeplane (cluster layout) is up, without a gateway: ${[...cluster.functions].map(([n, u]) => `${n} ${u}`).join(', ')}`;
  process.stderr.write(`\n  ${where}\n  Broker ${cluster.broker.url}; dead letters in ${cluster.deadLetterFile}; logs in ${cluster.logDir}\n\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping every function, the gateway and the Broker\n`);
    cluster.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stopping failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof LocalClusterError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
