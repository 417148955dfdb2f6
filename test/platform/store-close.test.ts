// Shutdown is bounded on the embedded store too: PGlite runs in the process and has no connection to end, and a
// transaction that never finishes (waiting on something that will not come) must not hold close() for ever.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../shared/db/database.js';

describe('closing the embedded store', () => {
  it('returns while a transaction is stuck, as it does when nothing is', async () => {
    const idle = await openMetadataStore({ dataDir: 'memory://' });
    const quick = Date.now();
    await idle.close();
    expect(Date.now() - quick).toBeLessThan(5_000);

    const store = await openMetadataStore({ dataDir: 'memory://' });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // A transaction that waits on something that never comes.
    void store.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      entered();
      await new Promise(() => undefined);
    });
    await inside;
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
