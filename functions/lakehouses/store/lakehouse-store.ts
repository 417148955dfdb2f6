import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { withDatabaseErrors, type Executor, type LakehouseActivityRow, type LakehouseRow } from '../../../shared/db/index.js';
import { decodeCursor } from '../../../shared/http/index.js';
import type { LakehouseState } from '../../../shared/db/index.js';

/**
 * The lakehouses function's own reads and writes of lakehouses (their definitions, listings, activity and the
 * drivers' reports). State changes go through shared/domains/lakehouses' lifecycle, which the supervisor, the
 * runtime's reports and SQL statements share.
 */
export interface LakehouseStore {
  /** A new lakehouse, STOPPED; a name taken is a ConflictError. `spec` is the stored definition (JSON). */
  create(row: { name: string; owner: string; spec: string; actor: string }): Promise<LakehouseRow>;
  list(filter: {
    owner?: string;
    state?: LakehouseState;
    tag?: string;
    name?: string;
    pageSize?: number;
    pageToken?: string;
  }): Promise<{ rows: LakehouseRow[]; size: number }>;
  /** A new version of the definition (and owner). */
  update(id: string, change: { owner: string; spec: string; version: number; actor: string }): Promise<LakehouseRow>;
  /** Activity entries by id (they outlive the lakehouse), oldest first, after `after`. */
  activity(id: string, filter: { pageSize: number; after?: string }): Promise<LakehouseActivityRow[]>;
  /** Whether any activity of this id is kept: a deleted lakehouse's history. */
  hasActivity(id: string): Promise<boolean>;
  /** What a driver's report checks its token against, and the activity it had. */
  agentOf(id: string): Promise<{ id: string; agent_token_hash: string | null; last_activity_at: Date | null } | undefined>;
  recordReport(id: string, report: { openSessions: number; runningStatements: number; at: Date; activity: Date | undefined }): Promise<void>;
  /** The warehouses' names, in order: the catalogs a lakehouse serves. */
  warehouses(): Promise<string[]>;
  /** What the supervisor watches: up to 1000 lakehouses starting, running, stopping or being deleted. */
  supervised(): Promise<LakehouseRow[]>;
  /** Lakehouses starting, running, stopping or being deleted that have a workload: those a restart may have orphaned. */
  withWorkloads(): Promise<LakehouseRow[]>;
}

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The PostgreSQL store (PGlite runs the same SQL). */
export function lakehouseStore(db: Executor): LakehouseStore {
  return {
    async create({ name, owner, spec, actor }) {
      return withDatabaseErrors(`lakehouse "${name}"`, () =>
        db
          .insertInto('lakehouses')
          .values({ id: randomUUID(), name, owner, spec, state: 'STOPPED', state_message: 'created', created_by: actor, updated_by: actor })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
    },
    async list({ owner, state, tag, name, pageSize, pageToken }) {
      const size = pageSize ?? 100;
      const cursor = decodeCursor(pageToken);
      let q = db.selectFrom('lakehouses').selectAll();
      if (owner) q = q.where('owner', '=', owner);
      if (state) q = q.where('state', '=', state);
      if (tag) q = q.where(sql`spec -> 'tags'`, '@>', JSON.stringify([tag]));
      if (name) q = q.where('name', 'like', likePattern(name));
      if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      return {
        rows: await q
          .orderBy('created_at')
          .orderBy('id')
          .limit(size + 1)
          .execute(),
        size,
      };
    },
    async update(id, { owner, spec, version, actor }) {
      return db
        .updateTable('lakehouses')
        .set({ owner, spec, version, updated_at: new Date(), updated_by: actor })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async activity(id, { pageSize, after }) {
      let q = db.selectFrom('lakehouse_activity').selectAll().where('lakehouse_id', '=', id);
      if (after) q = q.where('id', '>', after);
      return q
        .orderBy('id')
        .limit(pageSize + 1)
        .execute();
    },
    async hasActivity(id) {
      return (await db.selectFrom('lakehouse_activity').select(['lakehouse_id']).where('lakehouse_id', '=', id).limit(1).executeTakeFirst()) !== undefined;
    },
    async agentOf(id) {
      return db.selectFrom('lakehouses').select(['id', 'agent_token_hash', 'last_activity_at']).where('id', '=', id).executeTakeFirst();
    },
    async recordReport(id, { openSessions, runningStatements, at, activity }) {
      await db
        .updateTable('lakehouses')
        .set({ open_sessions: openSessions, running_statements: runningStatements, agent_reported_at: at, ...(activity ? { last_activity_at: activity } : {}) })
        .where('id', '=', id)
        .execute();
    },
    async warehouses() {
      return (await db.selectFrom('warehouses').select('name').orderBy('name').execute()).map((w) => w.name);
    },
    async supervised() {
      return db.selectFrom('lakehouses').selectAll().where('state', 'in', ['STARTING', 'RUNNING', 'STOPPING', 'DELETING']).limit(1000).execute();
    },
    async withWorkloads() {
      return db
        .selectFrom('lakehouses')
        .selectAll()
        .where('state', 'in', ['STARTING', 'RUNNING', 'STOPPING', 'DELETING'])
        .where('workload_name', 'is not', null)
        .execute();
    },
  };
}
