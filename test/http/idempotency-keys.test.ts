import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog/index.js';
import { catalogIdempotency } from '../../functions/catalog/handlers/idempotency.js';
import { jobs } from '../../functions/jobs/index.js';
import { runIdempotency } from '../../functions/jobs/handlers/runs/start-once.js';
import { migrateToLatest, openMetadataStore, type MetadataStore } from '../../shared/db/index.js';
import { IDEMPOTENCY_KEY_RETENTION_MS, PING_EVENT_TYPE, postgresIdempotencyKeyStore, sweepIdempotencyKeys } from '../../shared/http/index.js';
import { backends, createScratchDatabase } from '../support/databases.js';

/**
 * The Idempotency-Key store below the HTTP suites: what runOnce relies on (a claimed key answers nothing until it is
 * settled; a refusal never replaces an answer) and the sweep each function runs over the scopes it owns.
 */
describe.each(backends())('idempotency keys on %s', (backend) => {
  let store: MetadataStore;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (backend === 'postgres') {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      store = await openMetadataStore({ databaseUrl: scratch.url });
    } else {
      store = await openMetadataStore({ dataDir: 'memory://' });
    }
    await migrateToLatest(store.db);
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  const record = (scope: string, key: string) => ({ scope, key, operation: 'createTable x', principal: 'user:1' });

  it('a claimed key has no answer until it is settled, and a refusal kept later does not replace the answer', async () => {
    const keys = postgresIdempotencyKeyStore(store.db);
    await keys.claim(record('catalog', 'k1'));
    expect(await keys.find('catalog', 'k1')).toEqual({ operation: 'createTable x', status: 0, body: null });
    await keys.settle('catalog', 'k1', { status: 200, body: '{"ok":true}' });
    await keys.keepRefusal(record('catalog', 'k1'), { status: 409, body: '{}' });
    expect(await keys.find('catalog', 'k1')).toEqual({ operation: 'createTable x', status: 200, body: '{"ok":true}' });
    expect(await keys.find('jobs/1', 'k1')).toBeUndefined();
  });

  it("the sweep forgets only its owner's keys past the retention", async () => {
    const keys = postgresIdempotencyKeyStore(store.db);
    const old = new Date(Date.now() - IDEMPOTENCY_KEY_RETENTION_MS - 60_000);
    const rows = [
      ['catalog', 'old', old],
      ['catalog', 'new', new Date()],
      ['catalog/x', 'old', old],
      ['catalogue', 'old', old],
      ['jobs/a', 'old', old],
      ['jobs/a', 'new', new Date()],
      ['jobs_b/a', 'old', old],
    ] as const;
    await store.db
      .insertInto('idempotency_keys')
      .values(rows.map(([scope, key, at]) => ({ scope, key: `sweep-${key}`, operation: 'op', principal: 'p', status: 200, body: null, created_at: at })))
      .execute();
    const left = async () =>
      (await store.db.selectFrom('idempotency_keys').select(['scope', 'key']).where('key', 'like', 'sweep-%').orderBy('scope').orderBy('key').execute()).map(
        (r) => `${r.scope} ${r.key}`,
      );

    expect(await sweepIdempotencyKeys(keys, 'catalog')).toBe(2);
    expect(await left()).toEqual(['catalog sweep-new', 'catalogue sweep-old', 'jobs/a sweep-new', 'jobs/a sweep-old', 'jobs_b/a sweep-old']);
    // `_` of an owner's name is matched as itself, not as LIKE's any character.
    expect(await sweepIdempotencyKeys(keys, 'jobs')).toBe(1);
    expect(await sweepIdempotencyKeys(keys, 'jobs')).toBe(0);
    expect(await left()).toEqual(['catalog sweep-new', 'catalogue sweep-old', 'jobs/a sweep-new', 'jobs_b/a sweep-old']);
    expect(await sweepIdempotencyKeys(keys, 'jobs_')).toBe(0);
  });
});

describe('the functions that write Idempotency-Keys sweep them', () => {
  it('keys are scoped by the name of the function that writes them', () => {
    expect(catalogIdempotency(() => 'op').scope({})).toBe('catalog');
    expect(runIdempotency.scope({ jobId: 'j1', overrides: {} })).toBe('jobs/j1');
  });

  it('each takes the PingSource tick its sweep runs on in cluster mode', () => {
    for (const fn of [catalog, jobs]) expect(fn.consumes.map((c) => c.type)).toContain(PING_EVENT_TYPE);
  });
});
