import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely';
import pg from 'pg';
import { databaseUnavailable, isDatabaseUnavailable } from './connection-errors.js';
import { preparedNameOf } from './prepared-statements.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Stores take either the database or a transaction, so callers decide the transaction's extent. */
export type Executor = Db | Tx;

export interface MetadataStore {
  readonly db: Db;
  readonly driver: 'postgres' | 'pglite';
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
  /**
   * Closes the store once every connection is released. With `forceAfterMs`, connections still held by then (a
   * request stuck on a lock) are ended, so shutdown is bounded; their queries fail as a lost connection does.
   */
  close(options?: { forceAfterMs?: number }): Promise<void>;
}

const INT8_OID = 20;

export interface StoreOptions {
  databaseUrl?: string | undefined;
  poolMax?: number;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Told of every lost PostgreSQL connection (restart, failover, network), idle or checked out; for the log. */
  onConnectionError?: (err: Error) => void;
}

/**
 * The pool Kysely uses: the same connections, with statements registered by prepareStatement() run by name.
 *
 * It also keeps a lost server from taking the process with it. pg's pool listens for errors on idle clients only;
 * a checked-out client whose server restarts emits 'error' with no listener, which Node turns into an uncaught
 * exception. Every client gets a listener for its whole life, a query that fails because the connection is gone
 * becomes a 503 (UnavailableError), and the broken client is destroyed on release instead of going back to the pool.
 */
function preparingPool(pool: pg.Pool, onConnectionError: (err: Error) => void, open: Set<pg.Client>): PostgresPool {
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
    open.add(client);
  });
  pool.on('remove', (client) => open.delete(client));
  return {
    connect: async () => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw isDatabaseUnavailable(err) ? databaseUnavailable(err) : err;
      }
      let broken = false;
      const failed = (err: unknown): never => {
        if (!isDatabaseUnavailable(err)) throw err;
        broken = true;
        throw databaseUnavailable(err);
      };
      return {
        query: ((textOrCursor: string | pg.Submittable, values?: unknown[]) => {
          if (typeof textOrCursor !== 'string') return client.query(textOrCursor);
          const name = preparedNameOf(textOrCursor);
          const pending = name ? client.query({ name, text: textOrCursor, values: values ?? [] }) : client.query(textOrCursor, values);
          return pending.catch(failed);
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(broken || undefined),
      };
    },
    end: () => pool.end(),
  };
}

/** The only place the two drivers differ: everything above works on Kysely<Database>. */
export async function openMetadataStore(options: StoreOptions): Promise<MetadataStore> {
  if (options.databaseUrl) {
    // int8 stays a string on both drivers so counters and ids never lose precision or change type.
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (v: string) => v : pg.types.getTypeParser(oid, format)),
    } as pg.CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 10, types });
    const onConnectionError = options.onConnectionError ?? (() => undefined);
    // An idle client's error surfaces here and the pool replaces it; without a listener it would crash the process.
    pool.on('error', onConnectionError);
    const open = new Set<pg.Client>();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool, onConnectionError, open) }) });
    return {
      db,
      driver: 'postgres',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: async ({ forceAfterMs } = {}) => {
        const destroyed = db.destroy();
        if (forceAfterMs === undefined) return destroyed;
        let timer: NodeJS.Timeout | undefined;
        const late = await Promise.race([
          destroyed.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), forceAfterMs))),
        ]);
        clearTimeout(timer);
        if (!late) return;
        for (const client of open) void client.end().catch(() => undefined);
        await destroyed;
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('./pglite-dialect.js');
  const dataDir = options.dataDir ?? './.lakeplane';
  if (!dataDir.startsWith('memory://')) mkdirSync(path.resolve(dataDir), { recursive: true });
  // One options object: PGlite.create(undefined, options) takes its first argument for the options and drops the
  // second, so an in-memory store used to parse int8 as a number (ids and page tokens changed type by backend).
  const pglite = await PGlite.create({
    ...(dataDir.startsWith('memory://') ? {} : { dataDir: path.resolve(dataDir, 'pgdata') }),
    parsers: { [INT8_OID]: (v: string) => v },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    driver: 'pglite',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
