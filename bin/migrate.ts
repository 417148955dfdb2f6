import { ConfigError, loadConfig } from '../shared/config/index.js';
import { DataDirectoryInUseError, lockDataDirectory, migrateToLatest, openMetadataStore } from '../shared/db/index.js';

/** `npm run migrate` and the cluster's migration Job: apply pending migrations and exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  // PGlite's files take one process at a time: not while a server uses them.
  if (!config.DATABASE_URL && !config.LAKEPLANE_DATA_DIR.startsWith('memory://')) {
    const lock = lockDataDirectory(config.LAKEPLANE_DATA_DIR);
    process.on('exit', () => lock.release());
  }
  const store = await openMetadataStore({ databaseUrl: config.DATABASE_URL, dataDir: config.LAKEPLANE_DATA_DIR, poolMax: 2 });
  try {
    const result = await migrateToLatest(store.db);
    const applied = result.results ?? [];
    process.stdout.write(JSON.stringify({ msg: 'migrations applied', database: store.driver, applied: applied.map((r) => r.migrationName) }) + '\n');
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigError || err instanceof DataDirectoryInUseError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
