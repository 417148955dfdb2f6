/**
 * A dispatcher in a process of its own, for test/events/outbox-crash.test.ts. It opens the metadata store the parent
 * names (PostgreSQL URL or a PGlite data directory on disk), delivers the outbox with the real HttpTransport
 * (binary-mode CloudEvents over HTTP) and exits 0 once the outbox is empty. The parent SIGKILLs it to simulate a crash:
 * nothing here cleans up on a signal, on purpose.
 *
 * Run as: node --import tsx test/support/outbox-dispatcher-child.ts
 * Environment:
 *   CHILD_DATABASE_URL | CHILD_DATA_DIR   the store (exactly one)
 *   CHILD_SINK_URL                         where events are POSTed
 *   CHILD_LEASE_MS                         how long a claimed event stays hidden from another dispatcher
 * Stdout: one JSON object per line: {"state":"dispatching","pid":...}, then {"state":"drained"} before a clean exit.
 */
import { openMetadataStore } from '../../shared/db/index.js';
import { Dispatcher, HttpTransport } from '../../shared/events/index.js';
import { createLogger } from '../../shared/log/index.js';
import { PlatformMetrics } from '../../shared/metrics/index.js';

function report(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + '\n');
}

const databaseUrl = process.env['CHILD_DATABASE_URL'] || undefined;
const dataDir = process.env['CHILD_DATA_DIR'] || undefined;
const sinkUrl = process.env['CHILD_SINK_URL'];
const leaseMs = Number(process.env['CHILD_LEASE_MS'] ?? '300');
if (!sinkUrl || (!databaseUrl && !dataDir)) {
  process.stderr.write('CHILD_SINK_URL and one of CHILD_DATABASE_URL / CHILD_DATA_DIR are required\n');
  process.exit(2);
}

const store = await openMetadataStore({ databaseUrl, dataDir, poolMax: 2 });
const log = createLogger(process.env['CHILD_LOG_LEVEL'] ?? 'silent', { component: 'crash-test-dispatcher', pid: process.pid });
// The same class the platform runs, with a short lease so a successor can take over a dead dispatcher's claims quickly.
const dispatcher = new Dispatcher(store.db, new HttpTransport(sinkUrl, 5_000), new PlatformMetrics(), log, {
  maxAttempts: 10,
  retryBaseMs: 50,
  pollMs: 50,
  leaseMs,
});
dispatcher.start();
report({ state: 'dispatching', pid: process.pid });

for (;;) {
  const { pending } = await store.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('pending'))
    .executeTakeFirstOrThrow();
  if (Number(pending) === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
await dispatcher.stop();
await store.close();
report({ state: 'drained' });
