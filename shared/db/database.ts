import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely';
import pg from 'pg';
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
  close(): Promise<void>;
}

const INT8_OID = 20;

export interface StoreOptions {
  databaseUrl?: string | undefined;
  poolMax?: number;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  dataDir?: string;
}

/** The pool Kysely uses: the same connections, with statements registered by prepareStatement() run by name. */
function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    connect: async () => {
      const client = await pool.connect();
      return {
        query: ((textOrCursor: string | pg.Submittable, values?: unknown[]) => {
          if (typeof textOrCursor !== 'string') return client.query(textOrCursor);
          const name = preparedNameOf(textOrCursor);
          return name ? client.query({ name, text: textOrCursor, values: values ?? [] }) : client.query(textOrCursor, values);
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
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
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => v : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 10, types });
    // An idle client's error surfaces on its next query and the pool replaces it; without a listener it would crash.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
    return {
      db,
      driver: 'postgres',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
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
